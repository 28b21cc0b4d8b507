#pragma once
// Asio opens and accepts sockets without O_CLOEXEC; a process wgsidecar starts (the app,
// wireguard-go) must not inherit them.
#include <fcntl.h>

namespace wgs::net {

inline void close_on_exec(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

}  // namespace wgs::net
