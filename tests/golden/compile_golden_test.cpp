// SPDX-License-Identifier: GPL-2.0-or-later
// Golden tests of the compiler: every tests/golden/compile/<case>/config tree is loaded,
// compiled and rendered (default RenderOptions); the iptables-restore text must equal
// <case>/expected.v4 and <case>/expected.v6 byte for byte. Regenerate with
// VUURMUUR_UPDATE_GOLDEN=1 and review the diff line by line.
//
// As root, with `unshare -n` available, every rendered text is also fed to
// `iptables-restore --test --noflush` / `ip6tables-restore --test --noflush` in a private
// network namespace: the kernel's own parser must accept it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_tree.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace fs = std::filesystem;
using namespace vuurmuur;

namespace {

fs::path golden_root() { return test::source_dir() / "tests" / "golden" / "compile"; }

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(golden_root())) {
        if (entry.is_directory()) cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

struct Rendered {
    std::string v4;
    std::string v6;
    std::string diagnostics;  ///< everything load, check and compile reported
    std::size_t errors = 0;
};

/// Loads a copy of `tree` (git keeps no file modes; the copy is 0600, so no permission
/// warnings), compiles it and renders both families with the default options.
Rendered compile_copy(const fs::path& tree) {
    test::TempDir dir;
    test::copy_tree(tree, dir.path());
    diag::Diagnostics diags;
    auto loaded = load_and_check(dir.path(), diags);
    Rendered out;
    out.errors = diags.error_count();
    if (out.errors == 0) {
        auto compiled = compile::compile(loaded.config, compile::CompileOptions{}, diags);
        out.v4 = render::iptables_restore(compiled.ipv4);
        out.v6 = render::iptables_restore(compiled.ipv6);
        out.errors = diags.error_count();
    }
    diags.sort();
    out.diagnostics = diag::render_all(diags, "");
    return out;
}

/// The absolute path of `program` in the usual system directories, or "".
std::string find_program(const std::string& program) {
    for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
        fs::path p = fs::path(dir) / program;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return {};
}

/// Whether `iptables-restore --test` can run in a private network namespace here.
bool can_test_restore() {
    static const bool ok = [] {
        if (::geteuid() != 0) return false;
        std::string unshare = find_program("unshare");
        if (unshare.empty() || find_program("iptables-restore").empty() ||
            find_program("ip6tables-restore").empty()) {
            return false;
        }
        return test::run_process({unshare, "-n", find_program("true")}).exit_code == 0;
    }();
    return ok;
}

test::ProcessResult restore_test(const std::string& program, const std::string& text) {
    return test::run_process({find_program("unshare"), "-n", find_program(program), "--test", "--noflush"}, text);
}

}  // namespace

TEST_CASE("compiled output of every golden tree equals its expected.v4 and expected.v6") {
    auto cases = golden_cases();
    REQUIRE_FALSE(cases.empty());
    bool restore = can_test_restore();
    if (!restore) WARN("not root or no 'unshare -n': iptables-restore --test of the golden output skipped");
    for (const auto& dir : cases) {
        CAPTURE(dir.filename().string());
        REQUIRE(fs::is_directory(dir / "config"));
        auto r = compile_copy(dir / "config");
        INFO(r.diagnostics);
        REQUIRE(r.errors == 0);

        std::string diff4 = test::compare_golden(dir / "expected.v4", r.v4);
        INFO(diff4);
        CHECK(diff4.empty());
        std::string diff6 = test::compare_golden(dir / "expected.v6", r.v6);
        INFO(diff6);
        CHECK(diff6.empty());

        if (restore) {
            auto p4 = restore_test("iptables-restore", r.v4);
            INFO("iptables-restore: " << p4.err);
            CHECK(p4.exit_code == 0);
            auto p6 = restore_test("ip6tables-restore", r.v6);
            INFO("ip6tables-restore: " << p6.err);
            CHECK(p6.exit_code == 0);
        }
    }
}

TEST_CASE("compiling the same tree twice gives byte-identical text") {
    for (const auto& dir : golden_cases()) {
        CAPTURE(dir.filename().string());
        auto first = compile_copy(dir / "config");
        auto second = compile_copy(dir / "config");
        REQUIRE(first.errors == 0);
        CHECK(first.v4 == second.v4);
        CHECK(first.v6 == second.v6);
        CHECK(first.diagnostics == second.diagnostics);
    }
}
