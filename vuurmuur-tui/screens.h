// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "app.h"
#include "vuurmuur/model/schema.h"

/// The screens of vuurmuur-tui.
namespace vuurmuur::tui {

std::unique_ptr<Screen> main_menu(App& app);
std::unique_ptr<Screen> rules_screen(App& app);
/// A new rule (inserted at `at`, at the end when nullopt) or rule `number` with `text`.
std::unique_ptr<Screen> rule_form(App& app, std::optional<std::size_t> at, std::optional<std::size_t> number,
                                  const std::string& text);
/// Objects of `kind` under `filter` ("any", a zone, or network.zone).
std::unique_ptr<Screen> object_list(App& app, model::ObjectKind kind, const std::string& filter);
std::unique_ptr<Screen> object_form(App& app, model::ObjectKind kind, const std::string& name);
std::unique_ptr<Screen> blocklist_screen(App& app);
std::unique_ptr<Screen> config_screen(App& app);
std::unique_ptr<Screen> apply_screen(App& app);
std::unique_ptr<Screen> help_screen(App& app);

}  // namespace vuurmuur::tui
