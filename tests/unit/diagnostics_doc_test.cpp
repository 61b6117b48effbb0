// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "support/temp_tree.h"
#include "vuurmuur/diag/diagnostic.h"

using namespace vuurmuur;

TEST_CASE("every diagnostic code is documented in docs/diagnostics.md with its severity") {
    std::string doc = test::read_file(test::source_dir() / "docs/diagnostics.md");
    for (auto code : diag::all_codes()) {
        std::string row = "| `" + std::string(diag::slug(code)) + "` | " +
                          (diag::default_severity(code) == diag::Severity::Error ? "error" : "warning") + " |";
        INFO(row);
        CHECK(doc.find(row) != std::string::npos);
    }
}

TEST_CASE("a diagnostic renders as file:line:col: severity: message [code] with its hint") {
    diag::Diagnostic d;
    d.severity = diag::Severity::Error;
    d.code = diag::Code::BadIpv4;
    d.location.file = "zones/a/zone.config";
    d.location.line = 3;
    d.location.column = 12;
    d.message = "'1.2.3' is not an IPv4 address";
    d.hint = "like 192.168.1.10";
    CHECK(diag::render(d, "/etc/vuurmuur") ==
          "/etc/vuurmuur/zones/a/zone.config:3:12: error: '1.2.3' is not an IPv4 address [bad-ipv4]\n"
          "  hint: like 192.168.1.10\n");
    d.location.column = 0;
    d.hint.clear();
    d.severity = diag::Severity::Warning;
    CHECK(diag::render(d, "") ==
          "zones/a/zone.config:3: warning: '1.2.3' is not an IPv4 address [bad-ipv4]\n");
}

TEST_CASE("the diagnostics sink caps what it stores but counts everything") {
    diag::Diagnostics diags;
    for (std::size_t i = 0; i < diag::Diagnostics::kMaxReported + 5; ++i) {
        diags.report(diag::Code::Syntax, {"f", static_cast<int>(i) + 1, 1}, "x");
    }
    CHECK(diags.all().size() == diag::Diagnostics::kMaxReported);
    CHECK(diags.error_count() == diag::Diagnostics::kMaxReported + 5);
    CHECK(diag::render_all(diags, "").find("note: 5 more diagnostics were not shown\n") != std::string::npos);
}
