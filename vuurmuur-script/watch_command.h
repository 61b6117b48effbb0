// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <iosfwd>

#include "options.h"

/// `watch [--state-dir DIR]`: re-applies the config whenever an address of a dynamic
/// interface's device changes (apply/watch.h; packaging/systemd/vuurmuur-watch.service).
/// Runs until SIGTERM or SIGINT.
namespace vuurmuur::script {

/// Exit 0 when stopped by a signal, 2 when the watch could not run.
int run_watch(const ScriptOptions& options, std::ostream& out, std::ostream& err);

}  // namespace vuurmuur::script
