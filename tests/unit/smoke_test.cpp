// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "support/run_process.h"
#include "support/temp_tree.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;

TEST_CASE("the shipped default tree loads with zero diagnostics") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    diag::Diagnostics diags;
    auto loaded = load_and_check(dir.path(), diags);
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    CHECK(loaded.config.services.size() >= 47);
    CHECK(loaded.config.find_network("world", "inet") != nullptr);
}
