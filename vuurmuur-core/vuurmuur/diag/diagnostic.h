// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// Diagnostics: every user-facing problem, with a location, a stable code and an optional hint.
/// Stages never print or exit; they report into a Diagnostics sink passed by reference.
namespace vuurmuur::diag {

enum class Severity { Warning, Error };

enum class Code {
#define VM_DIAG(id, slug, severity, summary) id,
#include "vuurmuur/diag/codes.def"
#undef VM_DIAG
};

std::string_view slug(Code code);
Severity default_severity(Code code);
std::string_view summary(Code code);
/// Every code, in catalogue order (for docs and tests).
std::vector<Code> all_codes();

/// Where a diagnostic points: a file relative to the config root, 1-based line and column.
/// line 0 means "the whole file"; an empty file means "no file".
struct Location {
    std::string file;
    int line = 0;
    int column = 0;

    auto operator<=>(const Location&) const = default;
};

struct Diagnostic {
    Severity severity = Severity::Error;
    Code code = Code::Syntax;
    Location location;
    std::string message;
    std::string hint;
};

/// Collects diagnostics; caps the count so a huge broken file cannot exhaust memory.
class Diagnostics {
public:
    static constexpr std::size_t kMaxReported = 1000;

    void report(Code code, Location location, std::string message, std::string hint = {});
    void report(Severity severity, Code code, Location location, std::string message,
                std::string hint = {});

    const std::vector<Diagnostic>& all() const { return items_; }
    std::size_t error_count() const { return errors_; }
    std::size_t warning_count() const { return warnings_; }
    bool has_errors() const { return errors_ != 0; }
    /// How many were counted but not stored because of kMaxReported.
    std::size_t dropped() const { return dropped_; }
    /// Sorts by file, line and column; keeps the discovery order of equal locations.
    void sort();

private:
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
    std::size_t warnings_ = 0;
    std::size_t dropped_ = 0;
};

/// "root/file:line:col: error: message [slug]" plus "  hint: ..." when there is a hint.
/// `root` is prefixed to the file with a '/' unless empty.
std::string render(const Diagnostic& d, std::string_view root);
std::string render_all(const Diagnostics& diags, std::string_view root);

}  // namespace vuurmuur::diag
