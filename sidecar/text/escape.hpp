#pragma once
// One line of plain text from bytes that someone else chose (FLY_REGION, a server's error
// message, an app's command line): what a log line in text mode or a terminal shows, with
// nothing in it that starts a new line, moves the cursor or reorders what follows.
#include <string>
#include <string_view>

namespace wgs::text {

// Newline, carriage return and tab as \n \r \t; other C0 controls, DEL and bytes that are not
// UTF-8 as \xNN; C1 controls, U+2028/U+2029 (line and paragraph separators) and the
// bidirectional embeddings, overrides and isolates as \uNNNN. Everything else is kept.
std::string escape_controls(std::string_view bytes);

}  // namespace wgs::text
