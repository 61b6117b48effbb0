// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/base/json.h"

#include <cstdio>

#include "vuurmuur/base/strings.h"

namespace vuurmuur::base {

std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\t': out += "\\t"; continue;
            case '\r': out += "\\r"; continue;
            default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            // Copy a valid UTF-8 sequence whole; replace a broken byte.
            std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
            if (len != 0 && i + len <= s.size() && is_valid_utf8_text(s.substr(i, len))) {
                out.append(s.substr(i, len));
                i += len - 1;
            } else {
                out += "\xEF\xBF\xBD";
            }
        }
    }
    out += '"';
    return out;
}

}  // namespace vuurmuur::base
