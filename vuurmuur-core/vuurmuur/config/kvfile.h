// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vuurmuur/diag/diagnostic.h"

/// One textdir file: `KEY="value"` lines, comments and everything else, kept line by line so
/// that an unmodified file serialises back byte for byte and an edit touches only its lines.
namespace vuurmuur::config {

struct KvLine {
    enum class Kind { Blank, Comment, Entry, Invalid };

    Kind kind = Kind::Blank;
    std::string raw;        ///< the line as read, without its '\n'
    std::string key;        ///< Entry: upper-cased key
    std::string value;      ///< Entry: the value with its outer quotes removed
    int value_column = 0;   ///< Entry: 1-based column of the first value character
};

/// Limits that keep a hostile or broken file from costing more than a bounded amount.
inline constexpr std::size_t kMaxFileBytes = 16u * 1024u * 1024u;
inline constexpr std::size_t kMaxLineBytes = 4096;

class KvFile {
public:
    /// Parses `text`; problems are reported with `path` (relative to the config root).
    static KvFile parse(std::string_view text, std::string path, diag::Diagnostics& diags);
    /// A new, empty file (for objects being created).
    static KvFile empty(std::string path);

    const std::string& path() const { return path_; }
    const std::vector<KvLine>& lines() const { return lines_; }
    std::string serialize() const;

    /// Entries with this key (case-insensitive), in file order, without the original's
    /// empty-value quirk applied (see values()).
    std::vector<const KvLine*> entries(std::string_view key) const;
    /// Values of a multi-valued key as the original reads them: an empty value ends the list.
    std::vector<const KvLine*> values(std::string_view key) const;
    /// The first entry of a single-valued key, or nullptr.
    const KvLine* first(std::string_view key) const;
    /// 1-based line number of an entry (it must belong to this file).
    int line_of(const KvLine* line) const;
    diag::Location location_of(const KvLine* line) const;

    /// Replaces every line of `key` with one line per value, at the first line's position
    /// (appended at the end when the key is absent). An empty list writes `KEY=""`.
    void set(std::string_view key, const std::vector<std::string>& values);
    /// Adds a value after the last line of `key` (replacing a lone `KEY=""`).
    void append(std::string_view key, const std::string& value);
    /// Removes every line of `key`.
    void erase(std::string_view key);

    /// Index-based edits for editors that keep comments and the position of each value
    /// (indexes are 0-based into lines()). index_of() of a line of this file.
    std::size_t index_of(const KvLine* line) const;
    /// Rewrites the line at `index` as KEY="value" (it keeps its key when it is an entry).
    void set_at(std::size_t index, std::string_view key, const std::string& value);
    /// Inserts KEY="value" before the line at `index` (at the end when index == size).
    void insert_at(std::size_t index, std::string_view key, const std::string& value);
    /// Removes the line at `index`.
    void remove_at(std::size_t index);
    bool modified() const { return modified_; }

    /// Formats one entry line: KEY="value".
    static std::string format_entry(std::string_view key, std::string_view value);

private:
    std::string path_;
    std::vector<KvLine> lines_;
    bool final_newline_ = true;
    bool modified_ = false;
};

}  // namespace vuurmuur::config
