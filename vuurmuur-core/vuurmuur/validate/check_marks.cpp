// SPDX-License-Identifier: GPL-2.0-or-later
// Connection-mark layout checks: the field of CONNMARK_MASK must hold every value the
// rules use, queues must be used consistently, and nfmark values must stay out of it.
#include <map>

#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/validate/validate.h"

namespace vuurmuur::validate {

using diag::Code;

void check_marks(const model::Config& config, diag::Diagnostics& diags) {
    const auto layout = compile::MarkLayout::from_mask(config.settings.connmark_mask);
    const std::string mask = layout.hex_mask();
    struct QueueUse {
        model::QueueRange range;
        bool bypass;
        bool fanout;
        const model::Rule* rule;
    };
    std::map<std::uint16_t, QueueUse> queues;  // by first queue number
    // With an explicit CONNMARK_MASK the admin split the mark bits: packet marks set with
    // nfmark must stay out of the decision field, so that copying between packet and
    // connection marks (CONNMARK --save-mark / --restore-mark, e.g. for policy routing in
    // the PRE-VRMR hooks) never mixes them. Without it the original's layout applies, where
    // the two never meet.
    const bool split = config.settings.connmark_mask_explicit;
    for (const auto& rule : config.rules) {
        if (!rule.active || rule.is_separator()) continue;
        const auto& o = rule.options;
        auto at_option = [&](std::string_view name) {
            int col = rule.columns.option(name);
            return rule.at(col != 0 ? col : rule.columns.action);
        };
        std::uint32_t value = 0;
        if (rule.action == model::Action::Nfqueue) {
            auto q = o.nfqueuenum.value_or(model::QueueRange{0, 0});
            value = compile::kMarkQueueBase + q.first;
            bool bypass = o.bypass || config.settings.nfqueue_bypass;
            QueueUse use{q, bypass, o.fanout, &rule};
            auto [it, fresh] = queues.emplace(q.first, use);
            if (!fresh && (it->second.range != q || it->second.bypass != bypass || it->second.fanout != o.fanout)) {
                diags.report(Code::OptionNotAllowed, at_option("nfqueuenum"),
                             "queue " + std::to_string(q.first) + " is used with other settings at line " +
                                 std::to_string(it->second.rule->location.line),
                             "rules that queue to the same first queue must agree on the range, bypass and fanout");
            }
            if (o.fanout && q.first == q.last) {
                diags.report(Code::IgnoredOption, at_option("fanout"),
                             "option 'fanout' has no effect with a single queue", "use nfqueuenum=\"N:M\"");
            }
        } else if (rule.action == model::Action::Nflog) {
            value = compile::kMarkNflogBase + o.nflognum.value_or(0);
        }
        if (value > layout.max_value()) {
            diags.report(Code::BadOption, at_option(rule.action == model::Action::Nfqueue ? "nfqueuenum" : "nflognum"),
                         "connmark value " + std::to_string(value) + " does not fit CONNMARK_MASK " + mask,
                         "widen CONNMARK_MASK in config.conf (0x3ffff holds every queue and group)");
        }
        if (split && o.nfmark && (*o.nfmark & layout.mask) != 0) {
            diags.report(Code::BadOption, at_option("nfmark"),
                         "nfmark " + std::to_string(*o.nfmark) + " uses bits of CONNMARK_MASK " + mask,
                         "use nfmark values outside the mask, or move the field (e.g. CONNMARK_MASK=\"0x3ffff00\")");
        }
    }
}

}  // namespace vuurmuur::validate
