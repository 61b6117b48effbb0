// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <vector>

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/ir/ruleset.h"
#include "vuurmuur/render/iptables_restore.h"

/// Where each line of iptables_restore() output comes from, so an error of iptables-restore
/// ("Error occurred at line: N") can name the rules.conf line behind the failing rule.
namespace vuurmuur::render {

/// One entry per line of `iptables_restore(ruleset, options)`: element N-1 is the origin of
/// line N. Rule lines carry their IR rule's origin (empty for prologue rules); header, table,
/// chain, flush and COMMIT lines have an empty location. Follows the renderer's layout; the
/// size always equals the number of lines of the rendered text.
std::vector<diag::Location> line_origins(const ir::Ruleset& ruleset, const RenderOptions& options = {});

}  // namespace vuurmuur::render
