// SPDX-License-Identifier: GPL-2.0-or-later
// The memory-lean paths of `vuurmuur-script compile` must give what the plain ones give:
// load_and_check with keep_tree=false (each file built into the model and released) and
// compile_family (one family at a time) against load_and_check + compile().
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_tree.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/model/dump.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

namespace fs = std::filesystem;
using namespace vuurmuur;

namespace {

std::vector<fs::path> trees() {
    std::vector<fs::path> out;
    for (const char* kind : {"compile", "check"}) {
        for (const auto& entry : fs::directory_iterator(test::source_dir() / "tests" / "golden" / kind)) {
            if (entry.is_directory()) out.push_back(entry.path() / "config");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

struct Result {
    std::string model;
    std::string diagnostics;
    std::string v4, v6;
};

Result load(const fs::path& root, LoadOptions options) {
    diag::Diagnostics diags;
    Loaded loaded = load_and_check(root, options, diags);
    Result r;
    r.model = model::dump(loaded.config);
    diags.sort();
    r.diagnostics = diag::render_all(diags, root.string());
    if (!diags.has_errors()) {
        diag::Diagnostics compile_diags;
        auto both = compile::compile(loaded.config, {}, compile_diags);
        r.v4 = render::iptables_restore(both.ipv4);
        r.v6 = render::iptables_restore(both.ipv6);
    }
    return r;
}

}  // namespace

TEST_CASE("load_and_check without keeping the tree builds the same model with the same diagnostics",
          "[compile][load]") {
    auto all = trees();
    REQUIRE(all.size() > 20);
    for (const auto& tree : all) {
        INFO(tree.string());
        test::TempDir dir;
        test::copy_tree(tree, dir.path());
        LoadOptions keep, stream;
        stream.keep_tree = false;
        Result a = load(dir.path(), keep);
        Result b = load(dir.path(), stream);
        CHECK(b.model == a.model);
        CHECK(b.diagnostics == a.diagnostics);
        CHECK(b.v4 == a.v4);
        CHECK(b.v6 == a.v6);
        // The streamed load really keeps nothing of the tree.
        diag::Diagnostics diags;
        CHECK(load_and_check(dir.path(), stream, diags).tree.files.empty());
    }
}

TEST_CASE("load_and_check without keeping the tree takes config.conf from --config-file in its place",
          "[compile][load]") {
    test::TempDir dir;
    test::copy_tree(test::source_dir() / "tests" / "golden" / "compile" / "config-switches" / "config", dir.path());
    test::TempDir other;
    fs::path conf = other.path() / "other.conf";
    {
        std::ofstream f(conf);
        f << "USE_SYN_LIMIT=\"No\"\nLOG_POLICY=\"No\"\nBOGUS_KEY=\"1\"\n";
    }
    fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    LoadOptions keep, stream;
    keep.config_file = conf;
    stream.config_file = conf;
    stream.keep_tree = false;
    Result a = load(dir.path(), keep);
    Result b = load(dir.path(), stream);
    CHECK(b.model == a.model);
    CHECK(b.diagnostics == a.diagnostics);
    CHECK(b.v4 == a.v4);
    // The file given replaces the tree's: its settings are the ones compiled.
    Result plain = load(dir.path(), LoadOptions{});
    CHECK(b.model != plain.model);
}

TEST_CASE("compile_family gives each family of compile(), and says whether it forwards", "[compile]") {
    for (const auto& tree : trees()) {
        INFO(tree.string());
        test::TempDir dir;
        test::copy_tree(tree, dir.path());
        diag::Diagnostics diags;
        Loaded loaded = load_and_check(dir.path(), diags);
        if (diags.has_errors()) continue;
        diag::Diagnostics d1, d2;
        auto both = compile::compile(loaded.config, {}, d1);
        bool fwd4 = !both.forwards_ipv4, fwd6 = !both.forwards_ipv6;
        auto v4 = compile::compile_family(loaded.config, ir::Family::Ipv4, {}, d2, &fwd4);
        auto v6 = compile::compile_family(loaded.config, ir::Family::Ipv6, {}, d2, &fwd6);
        CHECK(render::iptables_restore(v4) == render::iptables_restore(both.ipv4));
        CHECK(render::iptables_restore(v6) == render::iptables_restore(both.ipv6));
        CHECK(ir::dump(v4) == ir::dump(both.ipv4));
        CHECK(fwd4 == both.forwards_ipv4);
        CHECK(fwd6 == both.forwards_ipv6);
        CHECK(d2.all().size() == d1.all().size());
    }
}
