// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/model/config.h"

/// Stage 3, validate: cross-object checks over a built model. Read-only; reports into
/// `diags`: hosts outside their network, duplicate names, references to missing or inactive
/// objects, rules whose options or objects do not fit their action.
namespace vuurmuur::validate {

void validate(const model::Config& config, diag::Diagnostics& diags);

/// Connection-mark layout: values fit CONNMARK_MASK, queues used consistently, nfmark clear
/// of the field (check_marks.cpp).
void check_marks(const model::Config& config, diag::Diagnostics& diags);

}  // namespace vuurmuur::validate
