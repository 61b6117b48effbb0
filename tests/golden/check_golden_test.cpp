// SPDX-License-Identifier: GPL-2.0-or-later
// Golden tests of `check`: every tests/golden/check/<case>/config tree is loaded, built and
// validated in one run; the sorted diagnostics must equal <case>/expected.txt byte for byte.
// Regenerate with VUURMUUR_UPDATE_GOLDEN=1 and review the diff line by line.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "support/temp_tree.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"

namespace fs = std::filesystem;
using namespace vuurmuur;

namespace {

fs::path golden_root() { return test::source_dir() / "tests" / "golden" / "check"; }

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(golden_root())) {
        if (entry.is_directory()) cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

/// Loads a copy of `tree` (git keeps no file modes; the copy is 0600, so no permission
/// warnings) and returns the sorted diagnostics.
diag::Diagnostics check_copy(const fs::path& tree) {
    test::TempDir dir;
    test::copy_tree(tree, dir.path());
    diag::Diagnostics diags;
    load_and_check(dir.path(), diags);
    diags.sort();
    return diags;
}

}  // namespace

TEST_CASE("check output of every golden tree equals its expected.txt") {
    auto cases = golden_cases();
    REQUIRE_FALSE(cases.empty());
    for (const auto& dir : cases) {
        CAPTURE(dir.filename().string());
        REQUIRE(fs::is_directory(dir / "config"));
        auto diags = check_copy(dir / "config");
        std::string diff = test::compare_golden(dir / "expected.txt", diag::render_all(diags, ""));
        INFO(diff);
        CHECK(diff.empty());
    }
}

TEST_CASE("planted mistakes: one diagnostic per mistake, all in a single run") {
    auto diags = check_copy(golden_root() / "planted-mistakes" / "config");
    CHECK(diags.error_count() == 28);
    CHECK(diags.warning_count() == 3);
    CHECK(diags.dropped() == 0);

    // Every kind of mistake is represented.
    std::multiset<std::string> slugs;
    for (const auto& d : diags.all()) slugs.insert(std::string(diag::slug(d.code)));
    CHECK(slugs.count("syntax") == 1);
    CHECK(slugs.count("unknown-key") == 1);
    CHECK(slugs.count("bad-ipv4") == 1);
    CHECK(slugs.count("bad-ipv6") == 1);
    CHECK(slugs.count("bad-netmask") == 2);
    CHECK(slugs.count("bad-mac") == 1);
    CHECK(slugs.count("bad-port") == 2);
    CHECK(slugs.count("bad-value") == 1);
    CHECK(slugs.count("bad-name") == 1);
    CHECK(slugs.count("too-long") == 2);
    CHECK(slugs.count("host-outside-network") == 1);
    CHECK(slugs.count("duplicate-name") == 1);
    CHECK(slugs.count("unknown-reference") == 6);
    CHECK(slugs.count("inactive-reference") == 1);
    CHECK(slugs.count("rule-syntax") == 2);
    CHECK(slugs.count("unknown-option") == 1);
    CHECK(slugs.count("bad-option") == 3);
    CHECK(slugs.count("option-not-allowed") == 2);
    CHECK(slugs.count("empty-ends-list") == 1);

    // No two diagnostics point at the same place: one mistake, one diagnostic.
    std::set<diag::Location> seen;
    for (const auto& d : diags.all()) {
        INFO(diag::render(d, ""));
        CHECK(seen.insert(d.location).second);
    }
}

TEST_CASE("the every-key fixture of the original loads with zero diagnostics") {
    auto diags = check_copy(test::source_dir() / "tests" / "fixtures" / "original-every-key");
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    CHECK(diags.error_count() == 0);
    CHECK(diags.warning_count() == 0);
}

TEST_CASE("the shipped default tree checks clean") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    diag::Diagnostics diags;
    auto loaded = load_and_check(dir.path(), diags);
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    CHECK_FALSE(loaded.config.rules.empty());
}
