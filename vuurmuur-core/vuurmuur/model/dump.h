// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include "vuurmuur/model/config.h"

namespace vuurmuur::model {

/// Deterministic text form of the model (for --dump model and golden files).
std::string dump(const Config& config);

}  // namespace vuurmuur::model
