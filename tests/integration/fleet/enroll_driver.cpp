// Seals one enrollment request the way an edge does and writes its bytes to stdout, so a
// test can send it with curl — twice, to see the second refused as a replay. The credential
// comes from the environment (ENROLL_CREDENTIAL, base64), never from argv.
//   enroll_driver HUB_PUBLIC_KEY MACHINE_ID > request.bin
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "enroll/protocol.hpp"

using namespace wgs;

int main(int argc, char** argv) {
  char const* credential_text = std::getenv("ENROLL_CREDENTIAL");
  if (argc != 3 || credential_text == nullptr) {
    std::fputs("usage: ENROLL_CREDENTIAL=KEY enroll_driver HUB_PUBLIC_KEY MACHINE_ID > request.bin\n", stderr);
    return 64;
  }
  auto credential = keys::decode_secret(credential_text);
  auto hub = keys::decode_public(argv[1]);
  if (!credential || !hub) {
    std::fputs("enroll_driver: a key is not valid base64\n", stderr);
    return 64;
  }
  auto const machine = keys::generate_private();
  enroll::EnrollRequest request;
  request.machine_key = keys::derive_public(machine);
  request.sent_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  request.machine_id = argv[2];
  auto const credential_public = keys::derive_public(*credential);
  auto sealed = enroll::seal_enroll({*credential, credential_public}, *hub, request);
  if (!sealed) {
    std::fprintf(stderr, "enroll_driver: %s\n", sealed.error().message.c_str());
    return 1;
  }
  return ::write(STDOUT_FILENO, sealed->body.data(), sealed->body.size()) == static_cast<ssize_t>(sealed->body.size()) ? 0 : 1;
}
