// A slowloris client for health_slowloris_test.sh, loopback only:
//
//   slowloris --port N [--target 127.0.0.1] [--sources 127.0.0.2,127.0.0.3,...]
//             [--connections 200] [--seconds 10] [--trickle-ms 500]
//
// Holds --connections connections to TARGET:PORT, each from the next address of --sources in
// turn. Each sends a request head it never finishes ("GET /healthz HTTP/1.1\r\nHost: x\r\n",
// then one header line every --trickle-ms), and when the server drops it (or answers it),
// connects again 20 ms later. Ends after --seconds and prints
// "connects N drops N open N" (open: held at the end). Bounded: at most 1000 connections, 120 seconds, and only to a
// loopback target. Exit 64 on bad flags.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Options {
  asio::ip::address target = asio::ip::make_address("127.0.0.1");
  std::uint16_t port = 0;
  std::vector<asio::ip::address> sources;
  unsigned connections = 200;
  unsigned seconds = 10;
  std::chrono::milliseconds trickle{500};
};

struct Counts {
  unsigned long connects = 0, drops = 0, open = 0;
};

// One of the slow clients: connect, start a request, trickle, and start over when dropped.
class Slow : public std::enable_shared_from_this<Slow> {
 public:
  Slow(asio::io_context& io, Options const& options, asio::ip::address source, Counts& counts)
      : io_(io), options_(options), source_(source), counts_(counts), socket_(io), timer_(io) {}

  void connect() {
    if (stopped_) return;
    boost::system::error_code ec;
    socket_ = tcp::socket(io_);
    socket_.open(options_.target.is_v4() ? tcp::v4() : tcp::v6(), ec);
    if (!ec) socket_.bind(tcp::endpoint(source_, 0), ec);
    if (ec) return again();
    socket_.async_connect(tcp::endpoint(options_.target, options_.port), [self = shared_from_this()](auto connect_ec) {
      if (connect_ec) return self->again();
      ++self->counts_.connects;
      ++self->counts_.open;
      self->connected_ = true;
      self->send("GET /healthz HTTP/1.1\r\nHost: slow\r\n");
      self->watch();
      self->trickle();
    });
  }

  void stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

 private:
  void send(std::string const& text) {
    auto buffer = std::make_shared<std::string>(text);
    asio::async_write(socket_, asio::buffer(*buffer), [self = shared_from_this(), buffer](auto, auto) {});
  }
  // Anything from the server (an answer, EOF, a reset) means this connection is over.
  void watch() {
    socket_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](auto, auto) { self->dropped(); });
  }
  void trickle() {
    timer_.expires_after(options_.trickle);
    timer_.async_wait([self = shared_from_this()](auto ec) {
      if (ec || !self->connected_) return;
      self->send("X-Slow: 1\r\n");
      self->trickle();
    });
  }
  void dropped() {
    if (!connected_) return;
    connected_ = false;
    --counts_.open;
    if (stopped_) return;
    ++counts_.drops;
    boost::system::error_code ignored;
    socket_.close(ignored);
    again();
  }
  void again() {
    if (stopped_) return;
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([self = shared_from_this()](auto ec) {
      if (!ec) self->connect();
    });
  }

  asio::io_context& io_;
  Options const& options_;
  asio::ip::address source_;
  Counts& counts_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  char scratch_[512];
  bool connected_ = false;
  bool stopped_ = false;
};

bool parse_sources(std::string_view list, std::vector<asio::ip::address>& out) {
  while (!list.empty()) {
    auto const comma = list.find(',');
    boost::system::error_code ec;
    out.push_back(asio::ip::make_address(std::string(list.substr(0, comma)), ec));
    if (ec) return false;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return true;
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view const flag = argv[i];
    std::string const value = argv[i + 1];
    boost::system::error_code ec;
    if (flag == "--port") options.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (flag == "--target") options.target = asio::ip::make_address(value, ec);
    else if (flag == "--sources") { if (!parse_sources(value, options.sources)) return false; }
    else if (flag == "--connections") options.connections = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--seconds") options.seconds = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--trickle-ms") options.trickle = std::chrono::milliseconds(std::stoul(value));
    else return false;
    if (ec) return false;
  }
  if (options.sources.empty()) options.sources.push_back(options.target);
  // A test tool, not a weapon: loopback, and bounded in count and time.
  for (auto const& source : options.sources) {
    if (!source.is_loopback()) return false;
  }
  return argc % 2 == 1 && options.port != 0 && options.target.is_loopback() && options.connections <= 1000 &&
         options.seconds <= 120;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    if (!parse(argc, argv, options)) throw std::invalid_argument("flags");
  } catch (std::exception const&) {
    std::fputs("usage: slowloris --port N [--target LOOPBACK] [--sources A,B,...] [--connections <=1000] "
               "[--seconds <=120] [--trickle-ms N]\n",
               stderr);
    return 64;
  }
  asio::io_context io;
  Counts counts;
  std::vector<std::shared_ptr<Slow>> clients;
  for (unsigned i = 0; i < options.connections; ++i) {
    clients.push_back(std::make_shared<Slow>(io, options, options.sources[i % options.sources.size()], counts));
    clients.back()->connect();
  }
  asio::steady_timer end(io);
  end.expires_after(std::chrono::seconds(options.seconds));
  unsigned long open_at_end = 0;
  end.async_wait([&](auto) {
    open_at_end = counts.open;
    for (auto& client : clients) client->stop();
  });
  io.run();
  std::printf("connects %lu drops %lu open %lu\n", counts.connects, counts.drops, open_at_end);
  return 0;
}
