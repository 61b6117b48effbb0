// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/diag/diagnostic.h"

#include <algorithm>

namespace vuurmuur::diag {

namespace {
struct CodeInfo {
    std::string_view slug;
    Severity severity;
    std::string_view summary;
};

constexpr CodeInfo kCodes[] = {
#define VM_DIAG(id, slug, severity, summary) {slug, Severity::severity, summary},
#include "vuurmuur/diag/codes.def"
#undef VM_DIAG
};

const CodeInfo& info(Code code) { return kCodes[static_cast<std::size_t>(code)]; }
}  // namespace

std::string_view slug(Code code) { return info(code).slug; }
Severity default_severity(Code code) { return info(code).severity; }
std::string_view summary(Code code) { return info(code).summary; }

std::vector<Code> all_codes() {
    std::vector<Code> out;
    for (std::size_t i = 0; i < std::size(kCodes); ++i) out.push_back(static_cast<Code>(i));
    return out;
}

void Diagnostics::report(Code code, Location location, std::string message, std::string hint) {
    report(default_severity(code), code, std::move(location), std::move(message), std::move(hint));
}

void Diagnostics::report(Severity severity, Code code, Location location, std::string message,
                         std::string hint) {
    if (severity == Severity::Error) ++errors_;
    else ++warnings_;
    if (items_.size() >= kMaxReported) {
        ++dropped_;
        return;
    }
    items_.push_back({severity, code, std::move(location), std::move(message), std::move(hint)});
}

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return a.location < b.location;
    });
}

std::string render(const Diagnostic& d, std::string_view root) {
    std::string out;
    if (!d.location.file.empty()) {
        if (!root.empty()) {
            out += root;
            if (root.back() != '/') out += '/';
        }
        out += d.location.file;
        if (d.location.line > 0) {
            out += ':' + std::to_string(d.location.line);
            if (d.location.column > 0) out += ':' + std::to_string(d.location.column);
        }
        out += ": ";
    } else if (!root.empty()) {
        out += root;
        out += ": ";
    }
    out += d.severity == Severity::Error ? "error: " : "warning: ";
    out += d.message;
    out += " [";
    out += slug(d.code);
    out += "]\n";
    if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
    return out;
}

std::string render_all(const Diagnostics& diags, std::string_view root) {
    std::string out;
    for (const auto& d : diags.all()) out += render(d, root);
    if (diags.dropped() != 0) {
        out += "note: " + std::to_string(diags.dropped()) +
               " more diagnostics were not shown\n";
    }
    return out;
}

}  // namespace vuurmuur::diag
