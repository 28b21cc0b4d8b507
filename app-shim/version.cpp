#include "app.hpp"

#ifndef CONTACTS_API_VERSION
#define CONTACTS_API_VERSION "dev"
#endif

namespace contacts {

char const* version() { return CONTACTS_API_VERSION; }

}  // namespace contacts
