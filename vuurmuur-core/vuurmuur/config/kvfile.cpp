// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/config/kvfile.h"

#include <algorithm>

#include "vuurmuur/base/strings.h"

namespace vuurmuur::config {

namespace {

/// Lines per file. Each costs a KvLine, so 16 MiB of newlines would take some 2 GB; a
/// million lines is more than the byte limit leaves room for in any real file.
constexpr std::size_t kMaxLines = 1000000;

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_';
}

KvLine parse_line(std::string_view raw, const diag::Location& loc, diag::Diagnostics& diags) {
    KvLine line;
    line.raw = std::string(raw);
    std::string_view text = raw;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (base::trim(text).empty()) {
        line.kind = KvLine::Kind::Blank;
        return line;
    }
    // As in the original: a line that starts with '#', a space or a tab is a comment.
    if (text.front() == '#' || text.front() == ' ' || text.front() == '\t') {
        line.kind = KvLine::Kind::Comment;
        return line;
    }
    line.kind = KvLine::Kind::Invalid;
    std::size_t eq = text.find('=');
    std::size_t key_len = 0;
    while (key_len < text.size() && is_key_char(text[key_len])) ++key_len;
    if (eq == std::string_view::npos || key_len == 0 || key_len != eq) {
        diag::Location at = loc;
        at.column = static_cast<int>(key_len == 0 ? 1 : key_len + 1);
        diags.report(diag::Code::Syntax, at,
                     "expected KEY=\"value\", got '" + base::printable(text, 40) + "'",
                     "keys are letters, digits and '_', followed by '=' and a quoted value");
        return line;
    }
    std::string_view value = text.substr(eq + 1);
    int column = static_cast<int>(eq) + 2;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
        ++column;
    } else if (value.find('"') != std::string_view::npos) {
        diag::Location at = loc;
        at.column = column;
        diags.report(diag::Code::Syntax, at, "unbalanced quotes in the value of " +
                                                 std::string(text.substr(0, eq)),
                     "write the value as KEY=\"value\"");
        return line;
    }
    line.kind = KvLine::Kind::Entry;
    line.key = base::to_upper(text.substr(0, eq));
    line.value = std::string(value);
    line.value_column = column;
    return line;
}

}  // namespace

KvFile KvFile::empty(std::string path) {
    KvFile file;
    file.path_ = std::move(path);
    return file;
}

KvFile KvFile::parse(std::string_view text, std::string path, diag::Diagnostics& diags) {
    KvFile file;
    file.path_ = std::move(path);
    file.final_newline_ = text.empty() || text.back() == '\n';
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) +
                              (file.final_newline_ ? 0 : 1);
    if (lines > kMaxLines) {
        // Like a file over the byte limit, it is not read. Its text is kept as one raw line,
        // so that the file still serialises byte for byte.
        diags.report(diag::Code::FileTooLarge, {file.path_, 0, 0},
                     "file has " + std::to_string(lines) + " lines; the limit is " +
                         std::to_string(kMaxLines));
        KvLine whole;
        whole.kind = KvLine::Kind::Invalid;
        whole.raw = std::string(text.substr(0, text.size() - (file.final_newline_ ? 1 : 0)));
        file.lines_.push_back(std::move(whole));
        return file;
    }
    file.lines_.reserve(lines);  // exact: no growth slack in a tree of thousands of small files
    int line_no = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view raw = text.substr(start, end - start);
        ++line_no;
        diag::Location loc{file.path_, line_no, 0};
        if (raw.size() > kMaxLineBytes) {
            loc.column = static_cast<int>(kMaxLineBytes) + 1;
            diags.report(diag::Code::TooLong, loc,
                         "line is " + std::to_string(raw.size()) + " bytes long; the limit is " +
                             std::to_string(kMaxLineBytes));
            KvLine invalid;
            invalid.kind = KvLine::Kind::Invalid;
            invalid.raw = std::string(raw);
            file.lines_.push_back(std::move(invalid));
        } else {
            file.lines_.push_back(parse_line(raw, loc, diags));
        }
        start = end + 1;
    }
    return file;
}

std::string KvFile::serialize() const {
    std::string out;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        out += lines_[i].raw;
        if (i + 1 < lines_.size() || final_newline_) out += '\n';
    }
    return out;
}

std::vector<const KvLine*> KvFile::entries(std::string_view key) const {
    std::vector<const KvLine*> out;
    for (const auto& line : lines_) {
        if (line.kind == KvLine::Kind::Entry && base::iequals(line.key, key)) out.push_back(&line);
    }
    return out;
}

std::vector<const KvLine*> KvFile::values(std::string_view key) const {
    std::vector<const KvLine*> out;
    for (const KvLine* line : entries(key)) {
        if (line->value.empty()) break;
        out.push_back(line);
    }
    return out;
}

const KvLine* KvFile::first(std::string_view key) const {
    for (const auto& line : lines_) {
        if (line.kind == KvLine::Kind::Entry && base::iequals(line.key, key)) return &line;
    }
    return nullptr;
}

int KvFile::line_of(const KvLine* line) const {
    return static_cast<int>(line - lines_.data()) + 1;
}

diag::Location KvFile::location_of(const KvLine* line) const {
    return {path_, line_of(line), line->value_column};
}

std::string KvFile::format_entry(std::string_view key, std::string_view value) {
    std::string out = base::to_upper(key);
    out += "=\"";
    out += value;
    out += '"';
    return out;
}

namespace {
KvLine make_entry(std::string_view key, const std::string& value) {
    KvLine line;
    line.kind = KvLine::Kind::Entry;
    line.key = base::to_upper(key);
    line.value = value;
    line.raw = KvFile::format_entry(key, value);
    line.value_column = static_cast<int>(key.size()) + 3;
    return line;
}
}  // namespace

void KvFile::set(std::string_view key, const std::vector<std::string>& values) {
    std::vector<KvLine> replacement;
    if (values.empty()) replacement.push_back(make_entry(key, ""));
    for (const auto& v : values) replacement.push_back(make_entry(key, v));

    auto matches = [&](const KvLine& l) {
        return l.kind == KvLine::Kind::Entry && base::iequals(l.key, key);
    };
    auto first_it = std::find_if(lines_.begin(), lines_.end(), matches);
    if (first_it == lines_.end()) {
        lines_.insert(lines_.end(), replacement.begin(), replacement.end());
    } else {
        auto pos = first_it - lines_.begin();
        lines_.erase(std::remove_if(lines_.begin() + pos, lines_.end(), matches), lines_.end());
        lines_.insert(lines_.begin() + pos, replacement.begin(), replacement.end());
    }
    final_newline_ = true;
    modified_ = true;
}

void KvFile::append(std::string_view key, const std::string& value) {
    auto existing = entries(key);
    if (existing.size() == 1 && existing.front()->value.empty()) {
        set(key, {value});
        return;
    }
    std::size_t pos = lines_.size();
    if (!existing.empty()) pos = static_cast<std::size_t>(existing.back() - lines_.data()) + 1;
    lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(pos), make_entry(key, value));
    final_newline_ = true;
    modified_ = true;
}

std::size_t KvFile::index_of(const KvLine* line) const {
    return static_cast<std::size_t>(line - lines_.data());
}

void KvFile::set_at(std::size_t index, std::string_view key, const std::string& value) {
    lines_.at(index) = make_entry(key, value);
    final_newline_ = true;
    modified_ = true;
}

void KvFile::insert_at(std::size_t index, std::string_view key, const std::string& value) {
    if (index > lines_.size()) index = lines_.size();
    lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(index), make_entry(key, value));
    final_newline_ = true;
    modified_ = true;
}

void KvFile::remove_at(std::size_t index) {
    if (index >= lines_.size()) return;
    lines_.erase(lines_.begin() + static_cast<std::ptrdiff_t>(index));
    modified_ = true;
}

void KvFile::erase(std::string_view key) {
    auto before = lines_.size();
    lines_.erase(std::remove_if(lines_.begin(), lines_.end(),
                                [&](const KvLine& l) {
                                    return l.kind == KvLine::Kind::Entry &&
                                           base::iequals(l.key, key);
                                }),
                 lines_.end());
    if (lines_.size() != before) modified_ = true;
}

}  // namespace vuurmuur::config
