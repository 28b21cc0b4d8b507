// Files the configuration comes from: --config, and NAME_FILE for every secret variable.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/ranges.h>

#include "config/file.hpp"
#include "config/load.hpp"
#include "config/secret_files.hpp"
#include "config/secret_variables.hpp"
#include "config/wg_quick.hpp"
#include "config_test_support.hpp"
#include "keys/keys.hpp"

using namespace wgs;
using namespace wgs::config_test;

namespace {

// A directory of its own for each test, removed afterwards.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wgs-config-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
  }
  ~Scratch() { std::filesystem::remove_all(dir); }
  std::string file(std::string const& name, std::string const& content) const {
    auto const path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::string fifo(std::string const& name) const {
    auto const path = dir / name;
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    return path.string();
  }
};

// A path that is no regular file of at most 1 MiB, and what the problem must say about it.
struct Unusable {
  std::string path;
  std::string reason;
};

std::vector<Unusable> unusable_files(Scratch const& scratch) {
  return {
      {"/nonexistent/file", "cannot read /nonexistent/file: No such file or directory"},
      {scratch.dir.string(), "is a directory, not a regular file"},
      {scratch.fifo("fifo"), "is a FIFO, not a regular file"},  // and does not wait for a writer
      {"/dev/zero", "/dev/zero is a character device, not a regular file"},
      {scratch.file("big", std::string(config::file_size_limit + 1, 'k')), "is larger than 1 MiB"},
  };
}

std::string wg_quick_file() {
  return fmt::format("[Interface]\nPrivateKey = {}\nAddress = 10.50.3.10/32\n"
                     "[Peer]\nPublicKey = {}\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 10.50.0.0/24\n",
                     edge_private, hub_public);
}

}  // namespace

TEST_CASE("NAME_FILE: every secret variable can come from a file, as containers mount secrets") {
  Scratch scratch;
  auto env = seed_environment();
  env.erase("WG_PRIVATE_KEY");
  env.erase("DB_PASSWORD");
  env["WG_PRIVATE_KEY_FILE"] = scratch.file("key", std::string(edge_private) + "\n");
  env["WG_PRESHARED_KEY_FILE"] = scratch.file("psk", std::string(hub_public));
  env["DB_PASSWORD_FILE"] = scratch.file("password", "Edge Proxy 2024 \n\n");
  auto const loaded = config::load(env);
  INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
  REQUIRE(loaded.problems.empty());
  CHECK(keys::encode(keys::derive_public(loaded.config.wireguard.interface.private_key)) == edge_public);
  CHECK(loaded.config.wireguard.peers.at(0).preshared_key.has_value());
  // Trailing newlines go, as `$(< file)` in the postgres image's entrypoint; other blanks stay.
  CHECK(loaded.config.databases.at(0).password.text() == "Edge Proxy 2024 ");

  SUBCASE("the URLs and a whole wg-quick file") {
    config::Environment urls = {
        {"WG_CONFIG_FILE", scratch.file("wg0.conf", wg_quick_file()).c_str()},
        {"DATABASE_URL_FILE", scratch.file("url", "postgresql://app:s3cret@10.50.0.1/orders\n").c_str()},
        {"DATABASE_READ_REPLICA_URL_FILE", scratch.file("replica", "postgresql://ro@10.50.0.2/orders").c_str()},
    };
    auto const from_files = config::load(urls);
    INFO(fmt::format("{}", fmt::join(problem_texts(from_files), "\n")));
    REQUIRE(from_files.problems.empty());
    CHECK(from_files.config.wireguard.peers.at(0).endpoint->to_string() == "192.0.2.1:51820");
    REQUIRE(from_files.config.databases.size() == 2);
    CHECK(from_files.config.databases[0].password.text() == "s3cret");
    CHECK(from_files.config.databases[1].hosts.at(0).host == "10.50.0.2");
  }
}

TEST_CASE("NAME_FILE: problems are named by NAME_FILE, once, with the OS's reason") {
  Scratch scratch;
  auto cases = unusable_files(scratch);
  cases.push_back({scratch.file("empty", "\n\n"), "is empty"});
  cases.push_back({scratch.file("nul", std::string("abc\0def", 7)), "holds a NUL byte"});
  for (auto const& secret : config::secret_variables) {
    auto const name = secret.name;
    for (auto const& c : cases) {
      // Without the variable the file stands for, and without what it conflicts with.
      auto env = std::string(name) == "WG_CONFIG" ? config::Environment{} : seed_environment();
      env.erase(LockedString(name));
      if (std::string(name) == "DATABASE_URL") env.erase("DB_HOST");
      env[LockedString(std::string(name) + "_FILE")] = c.path;
      auto const loaded = config::load(env);
      CAPTURE(name);
      CAPTURE(c.path);
      INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
      CHECK(loaded.problems.count() == 1);  // nothing that follows from the missing value
      CHECK(has_problem(loaded, std::string(name) + "_FILE", c.reason));
    }
  }
}

TEST_CASE("NAME_FILE: set together with NAME, or empty, is an error naming both") {
  Scratch scratch;
  auto env = seed_environment();
  env["WG_PRIVATE_KEY_FILE"] = scratch.file("key", edge_private);
  auto const both = config::load(env);
  CHECK(has_problem(both, "WG_PRIVATE_KEY_FILE", "is set together with WG_PRIVATE_KEY"));
  env.erase("WG_PRIVATE_KEY");
  env["WG_PRIVATE_KEY_FILE"] = "";
  CHECK(has_problem(config::load(env), "WG_PRIVATE_KEY_FILE", "set but empty"));
}

TEST_CASE("NAME_FILE: a problem in the content is named by NAME_FILE, and the content is never shown") {
  Scratch scratch;
  std::string const secret = "ECVzqfbg+FelHp35AQb7hbDbEa1Wp53nAC2K0lofBFs=";
  auto env = seed_environment();
  env.erase("WG_PRIVATE_KEY");
  env["WG_PRIVATE_KEY_FILE"] = scratch.file("key", "PrivateKey = " + secret + "\n");
  auto const loaded = config::load(env);
  CHECK(has_problem(loaded, "WG_PRIVATE_KEY_FILE", "44 characters"));
  for (auto const& text : problem_texts(loaded)) CHECK_FALSE(holds_part_of(text, secret));

  auto const file = wg_quick_file() + "PrivateKey: " + secret + "\n";
  auto const from_file = config::load({{"WG_CONFIG_FILE", scratch.file("wg0.conf", file).c_str()}});
  INFO(fmt::format("{}", fmt::join(problem_texts(from_file), "\n")));
  CHECK(has_problem(from_file, "WG_CONFIG_FILE line 8", "starts with PrivateKey but does not follow it with '='"));
  for (auto const& text : problem_texts(from_file)) CHECK_FALSE(holds_part_of(text, secret));
}

TEST_CASE("--config reads only a regular file, and says why not with one problem") {
  Scratch scratch;
  for (auto const& c : unusable_files(scratch)) {
    config::LoadOptions options;
    options.config_file = c.path;
    auto const loaded = config::load({}, options);
    CAPTURE(c.path);
    INFO(fmt::format("{}", fmt::join(problem_texts(loaded), "\n")));
    CHECK(loaded.problems.count() == 1);
    CHECK(has_problem(loaded, "--config", c.reason));
  }
  SUBCASE("a file of exactly 1 MiB is read") {
    auto const text = wg_quick_file();
    auto const path = scratch.file("full.conf", text + std::string(config::file_size_limit - text.size(), '\n'));
    config::LoadOptions options;
    options.config_file = path;
    CHECK(config::load({}, options).problems.empty());
  }
}

TEST_CASE("a file of bad lines gives the first problems and a count, not a flood") {
  std::string text = wg_quick_file();
  for (int i = 0; i < 100'000; ++i) text += "nonsense\n";
  config::Problems problems;
  config::parse_wg_quick(text, "WG_CONFIG", problems);
  CHECK(problems.count() == 100'000);
  CHECK(problems.list().size() == config::Problems::kept_limit);
  CHECK(problems.not_listed() == 100'000 - config::Problems::kept_limit);
  CHECK(problems.list().front().where == "WG_CONFIG line 8");
}
