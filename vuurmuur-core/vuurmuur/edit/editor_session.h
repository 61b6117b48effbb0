// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internal to the editor (editor.cpp, editor_values.cpp): what one operation sees inside its
// transaction.

#include <string>
#include <vector>

#include "vuurmuur/config/store.h"
#include "vuurmuur/config/textdir.h"
#include "vuurmuur/edit/audit.h"
#include "vuurmuur/edit/editor.h"
#include "vuurmuur/model/config.h"

namespace vuurmuur::edit {

struct Editor::Session {
    config::Transaction& tx;
    config::Tree tree;       ///< the whole tree, read under the transaction's exclusive lock
    model::Config config;    ///< built from `tree` (diagnostics ignored: the edit checks its own)
    std::vector<AuditRecord> changes;
    const std::string& user;

    void record(std::string action, model::ObjectKind kind, std::string object, std::string variable,
                std::string old_value, std::string new_value);
};

}  // namespace vuurmuur::edit
