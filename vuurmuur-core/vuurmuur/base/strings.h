// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Small string helpers shared by every stage. No I/O here.
namespace vuurmuur::base {

std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string_view trim(std::string_view s);
bool starts_with_icase(std::string_view s, std::string_view prefix);

/// Splits on `sep`; empty fields are kept.
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Parses a decimal unsigned number with no sign, no spaces and no overflow past `max`.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max);

/// True when every byte is printable ASCII or part of valid UTF-8, and not a control byte.
bool is_valid_utf8_text(std::string_view s);

/// Returns `s` with control bytes and invalid UTF-8 shown as \xNN, for safe display.
std::string printable(std::string_view s, std::size_t max_len = 80);

}  // namespace vuurmuur::base
