// SPDX-License-Identifier: GPL-2.0-or-later
//
// Fuzz target: one config file. The first input byte picks the file kind (mod 9, see kKinds),
// the rest is the file's text. Runs what the loader runs on a file it has read:
// KvFile::parse, then model::build and validate::validate of a tree holding just that file.
//
// Properties:
//   * no crash, no sanitizer report, no unbounded time or memory (libFuzzer's limits);
//   * an unmodified file serialises back byte for byte (KvFile's promise to the editors).
//
// Texts with a NUL byte are skipped: io::read_config_file refuses them before parsing (the
// bad-input corpus covers that path).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "vuurmuur/config/kvfile.h"
#include "vuurmuur/config/textdir.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/build.h"
#include "vuurmuur/validate/validate.h"

namespace {

constexpr const char* kKinds[] = {
    "config.conf",
    "zones/fz/zone.config",
    "zones/fz/networks/fn/network.config",
    "zones/fz/networks/fn/hosts/fh.host",
    "zones/fz/networks/fn/groups/fg.group",
    "interfaces/fi.conf",
    "services/fs",
    "rules/rules.conf",
    "rules/blocklist.conf",
};
constexpr std::size_t kKindCount = sizeof kKinds / sizeof kKinds[0];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace vuurmuur;
    if (size == 0) return 0;
    const std::string path = kKinds[data[0] % kKindCount];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (text.find('\0') != std::string_view::npos) return 0;

    diag::Diagnostics diags;
    config::KvFile file = config::KvFile::parse(text, path, diags);
    if (file.serialize() != text) {
        fuzz::fail("KvFile::parse(text).serialize() != text",
                   "file " + path + "\n--- text:\n" + fuzz::printable(text) + "\n--- serialized:\n" +
                       fuzz::printable(file.serialize()));
    }

    config::Tree tree;
    tree.root = "/nonexistent-fuzz-root";
    tree.files.emplace(path, std::move(file));
    model::Config config = model::build(tree, diags);
    validate::validate(config, diags);
    diags.sort();
    (void)diag::render_all(diags, "");
    return 0;
}
