// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// A small, strict JSON reader for tests (RFC 8259; no library): it checks that a document
/// is well-formed and gives a tree to look fields up in.
namespace vuurmuur::test {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object };

    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;                                     ///< String: the decoded text
    std::vector<JsonValue> array;
    std::vector<std::pair<std::string, JsonValue>> object;  ///< in document order

    bool is(Type t) const { return type == t; }
    /// The member `key` of an object, or nullptr.
    const JsonValue* get(std::string_view key) const;
    /// Keys of an object, in document order.
    std::vector<std::string> keys() const;
};

/// Parses exactly one JSON value (surrounding whitespace allowed). On failure returns nullopt
/// and, when `error` is given, says what is wrong at which byte offset. Duplicate keys,
/// control characters in strings, bad escapes and lone surrogates are errors; nesting is
/// limited to 200 levels.
std::optional<JsonValue> parse_json(std::string_view text, std::string* error = nullptr);

}  // namespace vuurmuur::test
