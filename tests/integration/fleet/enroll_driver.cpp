// Seals enrollment requests the way an edge does. The credential comes from the environment
// (ENROLL_CREDENTIAL, base64), never from argv.
//   enroll_driver HUB_PUBLIC_KEY MACHINE_ID > request.bin
//       one request's bytes, for a test to send with curl — twice, to see the replay refused
//   enroll_driver HUB_PUBLIC_KEY PREFIX COUNT HUB_IP PORT
//       COUNT machines PREFIX-1.. enrolled one after another (the bench's 1,000-machine hub);
//       prints "granted N of COUNT in S s"
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "enroll/http_client.hpp"
#include "enroll/protocol.hpp"

using namespace wgs;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<enroll::SealedRequest> sealed_for(Secret const& credential, keys::PublicKey const& hub, std::string id) {
  auto const machine = keys::generate_private();
  enroll::EnrollRequest request;
  request.machine_key = keys::derive_public(machine);
  request.sent_at_ms = now_ms();
  request.machine_id = std::move(id);
  return enroll::seal_enroll({credential, keys::derive_public(credential)}, hub, request);
}

int enroll_many(Secret const& credential, keys::PublicKey const& hub, char** argv) {
  int const count = std::atoi(argv[3]);
  enroll::HttpRequest http;
  http.ip = net::IpAddress::parse(argv[4]).value_or(net::IpAddress{});
  http.port = static_cast<std::uint16_t>(std::atoi(argv[5]));
  http.target = "/v1/enroll";
  int granted = 0;
  auto const start = std::chrono::steady_clock::now();
  for (int i = 1; i <= count; ++i) {
    auto sealed = sealed_for(credential, hub, std::string(argv[2]) + "-" + std::to_string(i));
    if (!sealed) return 1;
    http.body = sealed->body;
    auto answer = enroll::exchange(http);
    granted += answer && answer->status == 200 ? 1 : 0;
  }
  auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("granted %d of %d in %.3f s\n", granted, count, seconds);
  return granted == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  char const* credential_text = std::getenv("ENROLL_CREDENTIAL");
  if ((argc != 3 && argc != 6) || credential_text == nullptr) {
    std::fputs("usage: ENROLL_CREDENTIAL=KEY enroll_driver HUB_PUBLIC_KEY MACHINE_ID > request.bin\n"
               "       ENROLL_CREDENTIAL=KEY enroll_driver HUB_PUBLIC_KEY PREFIX COUNT HUB_IP PORT\n",
               stderr);
    return 64;
  }
  auto credential = keys::decode_secret(credential_text);
  auto hub = keys::decode_public(argv[1]);
  if (!credential || !hub) {
    std::fputs("enroll_driver: a key is not valid base64\n", stderr);
    return 64;
  }
  if (argc == 6) return enroll_many(*credential, *hub, argv);
  auto sealed = sealed_for(*credential, *hub, argv[2]);
  if (!sealed) {
    std::fprintf(stderr, "enroll_driver: %s\n", sealed.error().message.c_str());
    return 1;
  }
  return ::write(STDOUT_FILENO, sealed->body.data(), sealed->body.size()) == static_cast<ssize_t>(sealed->body.size()) ? 0 : 1;
}
