// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/config/rule_parser.h"

#include <cctype>
#include <functional>
#include <vector>

#include "vuurmuur/base/spellcheck.h"
#include "vuurmuur/base/strings.h"
#include "vuurmuur/model/name.h"

namespace vuurmuur::config {

using model::Rule;
using diag::Code;

namespace {

/// A cursor over the rule text that knows each character's column.
struct Cursor {
    std::string_view text;
    std::size_t pos = 0;
    int base_column = 1;

    bool done() const { return pos >= text.size(); }
    int column() const { return base_column + static_cast<int>(pos); }
    void skip_spaces() {
        while (!done() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    }
    std::string_view word() {
        skip_spaces();
        std::size_t start = pos;
        while (!done() && text[pos] != ' ' && text[pos] != '\t') ++pos;
        return text.substr(start, pos - start);
    }
    /// Is there a quote (`"` or `\"`) at pos? Returns its length.
    std::size_t quote_at(std::size_t p) const {
        if (p < text.size() && text[p] == '"') return 1;
        if (p + 1 < text.size() && text[p] == '\\' && text[p + 1] == '"') return 2;
        return 0;
    }
};

struct OptionValue {
    bool has_value = false;
    std::string text;
    int column = 0;  ///< column of the option name
    int value_column = 0;
};

using OptionHandler =
    std::function<bool(model::RuleOptions&, const OptionValue&, std::string& error)>;

struct OptionSpec {
    std::string_view name;
    bool takes_value;
    OptionHandler apply;
};

bool set_uint(std::optional<std::uint32_t>& out, const OptionValue& v, std::uint64_t max,
              std::string& error) {
    auto n = base::parse_uint(v.text, max);
    if (!n) {
        error = "expected a number from 0 to " + std::to_string(max);
        return false;
    }
    out = static_cast<std::uint32_t>(*n);
    return true;
}

bool set_port_list(model::BoxedOptional<std::vector<model::PortRange>>& out, const OptionValue& v,
                   std::string& error) {
    std::vector<model::PortRange> ports;
    for (const auto& part : base::split(v.text, ',')) {
        auto range = model::PortRange::parse(base::trim(part));
        if (!range) {
            error = "expected ports like 80 or 8080:8090, separated by commas";
            return false;
        }
        ports.push_back(*range);
    }
    out = std::move(ports);
    return true;
}

/// The length of a rule text with each escaped quote (\") counted as the one character it
/// stands for, so that a rule is as long in rules.conf (escaped) as where it was typed.
std::size_t unescaped_length(std::string_view text) {
    std::size_t length = text.size();
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
        if (text[i] == '\\' && text[i + 1] == '"') {
            --length;
            ++i;
        }
    }
    return length;
}

/// Whether format_rule can write `text` back as a quoted option value: a '"' inside would end
/// the value early and a final '\' would pair with the closing quote (`\"` is a quote too).
bool fits_in_quotes(std::string_view text) {
    return text.find('"') == std::string_view::npos && (text.empty() || text.back() != '\\');
}

bool set_interface(model::BoxedOptional<std::string>& out, const OptionValue& v, std::string& error) {
    if (!model::is_valid_name_part(v.text)) {
        error = "expected an interface name ([a-zA-Z0-9_-], 1-32 characters)";
        return false;
    }
    out = v.text;
    return true;
}

bool set_bandwidth(std::optional<model::Bandwidth>& out, const OptionValue& v,
                   std::string& error) {
    struct Unit {
        std::string_view text;
        model::BandwidthUnit unit;
    };
    constexpr Unit kUnits[] = {{"kbit", model::BandwidthUnit::Kbit},
                               {"mbit", model::BandwidthUnit::Mbit},
                               {"kbps", model::BandwidthUnit::Kbps},
                               {"mbps", model::BandwidthUnit::Mbps}};
    for (const auto& u : kUnits) {
        if (v.text.size() > u.text.size() &&
            base::iequals(std::string_view(v.text).substr(v.text.size() - u.text.size()), u.text)) {
            auto n = base::parse_uint(std::string_view(v.text).substr(0, v.text.size() - u.text.size()),
                                      0xFFFFFFFFu);
            if (n) {
                out = model::Bandwidth{static_cast<std::uint32_t>(*n), u.unit};
                return true;
            }
        }
    }
    error = "expected a bandwidth like 100kbit, 10mbit, 50kbps or 2mbps";
    return false;
}

bool set_limit(std::optional<model::RateLimit>& out, const OptionValue& v, std::string& error) {
    std::string_view text = v.text;
    model::RateLimit limit;
    std::size_t slash = text.find('/');
    if (slash != std::string_view::npos) {
        std::string_view unit = text.substr(slash + 1);
        limit.unit_written = true;
        if (unit == "sec" || unit == "second" || unit == "s") limit.unit = model::RateUnit::Second;
        else if (unit == "min" || unit == "minute" || unit == "m") limit.unit = model::RateUnit::Minute;
        else if (unit == "hour" || unit == "h") limit.unit = model::RateUnit::Hour;
        else if (unit == "day" || unit == "d") limit.unit = model::RateUnit::Day;
        else {
            error = "expected a rate like 5, 5/sec, 10/min, 100/hour or 1000/day";
            return false;
        }
        text = text.substr(0, slash);
    }
    auto n = base::parse_uint(text, 10000);
    if (!n || *n == 0) {
        error = "expected a rate from 1 to 10000, like 5/sec";
        return false;
    }
    limit.count = static_cast<std::uint32_t>(*n);
    out = limit;
    return true;
}

const std::vector<OptionSpec>& option_specs() {
    using O = model::RuleOptions;
    static const std::vector<OptionSpec> specs = {
        {"via_int", true, [](O& o, const OptionValue& v, std::string& e) { return set_interface(o.via_int, v, e); }},
        // "int" is the older name of via_int.
        {"int", true, [](O& o, const OptionValue& v, std::string& e) { return set_interface(o.via_int, v, e); }},
        {"in_int", true, [](O& o, const OptionValue& v, std::string& e) { return set_interface(o.in_int, v, e); }},
        {"out_int", true, [](O& o, const OptionValue& v, std::string& e) { return set_interface(o.out_int, v, e); }},
        {"nfqueuenum", true, [](O& o, const OptionValue& v, std::string& e) {
             auto range = model::PortRange::parse(v.text);  // same "N" / "N:M" shape, 0-65535
             if (!range) {
                 e = "expected a queue number from 0 to 65535, or a range N:M";
                 return false;
             }
             o.nfqueuenum = model::QueueRange{range->low, range->high};
             return true;
         }},
        {"nflognum", true, [](O& o, const OptionValue& v, std::string& e) {
             auto n = base::parse_uint(v.text, 65535);
             if (!n) {
                 e = "expected an NFLOG group from 0 to 65535";
                 return false;
             }
             o.nflognum = static_cast<std::uint16_t>(*n);
             return true;
         }},
        {"chain", true, [](O& o, const OptionValue& v, std::string& e) {
             bool ok = !v.text.empty() && v.text.size() <= 28;
             for (char c : v.text) {
                 ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
             }
             if (!ok) {
                 e = "expected a chain name ([a-zA-Z0-9_-], 1-28 characters)";
                 return false;
             }
             o.chain = v.text;
             return true;
         }},
        {"log", false, [](O& o, const OptionValue&, std::string&) { return o.log = true; }},
        {"loglimit", true, [](O& o, const OptionValue& v, std::string& e) { return set_uint(o.loglimit, v, 10000, e); }},
        {"logprefix", true, [](O& o, const OptionValue& v, std::string& e) {
             if (v.text.size() > model::kMaxLogPrefixLength) {
                 e = "log prefix is " + std::to_string(v.text.size()) + " characters; at most " +
                     std::to_string(model::kMaxLogPrefixLength) + " fit";
                 return false;
             }
             if (!base::is_valid_utf8_text(v.text)) {
                 e = "log prefix must be printable text";
                 return false;
             }
             if (!fits_in_quotes(v.text)) {
                 e = "a log prefix cannot hold a '\"' or end in '\\' (it is written back between quotes)";
                 return false;
             }
             o.logprefix = v.text;
             return true;
         }},
        {"listenport", true, [](O& o, const OptionValue& v, std::string& e) { return set_port_list(o.listenport, v, e); }},
        {"remoteport", true, [](O& o, const OptionValue& v, std::string& e) { return set_port_list(o.remoteport, v, e); }},
        {"rejecttype", true, [](O& o, const OptionValue& v, std::string& e) {
             auto t = model::parse_reject_type(v.text);
             if (!t) {
                 e = "expected one of icmp-net-unreachable, icmp-host-unreachable, "
                     "icmp-proto-unreachable, icmp-port-unreachable, icmp-net-prohibited, "
                     "icmp-host-prohibited, tcp-reset";
                 return false;
             }
             o.rejecttype = *t;
             return true;
         }},
        {"redirectport", true, [](O& o, const OptionValue& v, std::string& e) {
             auto n = base::parse_uint(v.text, 65535);
             if (!n || *n == 0) {
                 e = "expected a port from 1 to 65535";
                 return false;
             }
             o.redirectport = static_cast<std::uint16_t>(*n);
             return true;
         }},
        {"nfmark", true, [](O& o, const OptionValue& v, std::string& e) { return set_uint(o.nfmark, v, 0xFFFFFFFFu, e); }},
        {"limit", true, [](O& o, const OptionValue& v, std::string& e) { return set_limit(o.limit, v, e); }},
        {"burst", true, [](O& o, const OptionValue& v, std::string& e) { return set_uint(o.burst, v, 10000, e); }},
        {"in_max", true, [](O& o, const OptionValue& v, std::string& e) { return set_bandwidth(o.in_max, v, e); }},
        {"out_max", true, [](O& o, const OptionValue& v, std::string& e) { return set_bandwidth(o.out_max, v, e); }},
        {"in_min", true, [](O& o, const OptionValue& v, std::string& e) { return set_bandwidth(o.in_min, v, e); }},
        {"out_min", true, [](O& o, const OptionValue& v, std::string& e) { return set_bandwidth(o.out_min, v, e); }},
        {"prio", true, [](O& o, const OptionValue& v, std::string& e) { return set_uint(o.prio, v, 255, e); }},
        {"random", false, [](O& o, const OptionValue&, std::string&) { return o.random = true; }},
        // Ours: queue bypass and CPU fanout for nfqueue rules.
        {"bypass", false, [](O& o, const OptionValue&, std::string&) { return o.bypass = true; }},
        {"fanout", false, [](O& o, const OptionValue&, std::string&) { return o.fanout = true; }},
        {"comment", true, [](O& o, const OptionValue& v, std::string& e) {
             if (v.text.size() > model::kMaxCommentLength) {
                 e = "comment is " + std::to_string(v.text.size()) + " characters; at most " +
                     std::to_string(model::kMaxCommentLength) + " fit";
                 return false;
             }
             if (!base::is_valid_utf8_text(v.text)) {
                 e = "comment must be printable UTF-8 text";
                 return false;
             }
             if (!fits_in_quotes(v.text)) {
                 e = "a comment cannot hold a '\"' or end in '\\' (it is written back between quotes)";
                 return false;
             }
             o.comment = v.text;
             return true;
         }},
        // Obsolete options the original still accepts and ignores.
        {"markiptstate", false, [](O&, const OptionValue&, std::string&) { return true; }},
        {"queue", false, [](O&, const OptionValue&, std::string&) { return true; }},
    };
    return specs;
}

std::vector<std::string> option_names() {
    std::vector<std::string> names;
    for (const auto& s : option_specs()) names.emplace_back(s.name);
    return names;
}

/// Parses `name[=value]{,name[=value]}` starting at the cursor.
void parse_options(Cursor& cur, Rule& rule, diag::Diagnostics& diags) {
    for (;;) {
        cur.skip_spaces();
        while (!cur.done() && cur.text[cur.pos] == ',') {
            ++cur.pos;
            cur.skip_spaces();
        }
        if (cur.done()) return;
        OptionValue value;
        value.column = cur.column();
        std::size_t start = cur.pos;
        while (!cur.done() && cur.text[cur.pos] != '=' && cur.text[cur.pos] != ',' &&
               cur.text[cur.pos] != ' ' && cur.text[cur.pos] != '\t') {
            ++cur.pos;
        }
        std::string name = base::to_lower(cur.text.substr(start, cur.pos - start));
        if (!cur.done() && cur.text[cur.pos] == '=') {
            ++cur.pos;
            value.has_value = true;
            std::size_t q = cur.quote_at(cur.pos);
            if (q != 0) {
                cur.pos += q;
                value.value_column = cur.column();
                std::size_t vstart = cur.pos;
                while (!cur.done() && cur.quote_at(cur.pos) == 0) ++cur.pos;
                if (cur.done()) {
                    diags.report(Code::RuleSyntax, rule.at(value.column),
                                 "missing closing quote in the value of option '" + name + "'");
                    return;
                }
                value.text = std::string(cur.text.substr(vstart, cur.pos - vstart));
                cur.pos += cur.quote_at(cur.pos);
            } else {
                value.value_column = cur.column();
                std::size_t vstart = cur.pos;
                while (!cur.done() && cur.text[cur.pos] != ',' && cur.text[cur.pos] != ' ' &&
                       cur.text[cur.pos] != '\t') {
                    ++cur.pos;
                }
                value.text = std::string(cur.text.substr(vstart, cur.pos - vstart));
            }
        }
        cur.skip_spaces();
        if (!cur.done() && cur.text[cur.pos] != ',') {
            diags.report(Code::RuleSyntax, rule.at(cur.column()),
                         "expected ',' between options, got '" +
                             base::printable(cur.text.substr(cur.pos), 20) + "'",
                         "options are written as name or name=\"value\", separated by commas");
            return;
        }

        const OptionSpec* spec = nullptr;
        for (const auto& s : option_specs()) {
            if (s.name == name) spec = &s;
        }
        if (spec == nullptr) {
            std::string hint;
            if (auto m = base::closest_match(name, option_names())) hint = "did you mean '" + *m + "'?";
            diags.report(Code::UnknownOption, rule.at(value.column),
                         "unknown option '" + base::printable(name, 40) + "'", hint);
            continue;
        }
        // The column is kept even when the value is rejected below: the option is written,
        // so later checks must not also report it as missing.
        std::string canonical = name == "int" ? "via_int" : name;
        rule.columns.options.emplace_back(canonical, value.column);
        if (spec->takes_value && !value.has_value) {
            diags.report(Code::BadOption, rule.at(value.column),
                         "option '" + name + "' needs a value", name + "=\"...\"");
            continue;
        }
        if (!spec->takes_value && value.has_value) {
            diags.report(Code::BadOption, rule.at(value.column),
                         "option '" + name + "' takes no value");
            continue;
        }
        std::string error;
        if (!spec->apply(rule.options, value, error)) {
            diags.report(Code::BadOption, rule.at(value.value_column),
                         "bad value '" + base::printable(value.text, 40) + "' for option '" +
                             name + "': " + error);
            continue;
        }
    }
}

bool expect_keyword(Cursor& cur, std::string_view keyword, Rule& rule, diag::Diagnostics& diags) {
    cur.skip_spaces();
    int col = cur.column();
    std::string_view w = cur.word();
    if (base::iequals(w, keyword)) return true;
    diags.report(Code::RuleSyntax, rule.at(col),
                 "expected '" + std::string(keyword) + "', got " +
                     (w.empty() ? std::string("end of rule") : "'" + base::printable(w, 40) + "'"),
                 "rules read: action service NAME from OBJECT to OBJECT [options ...]");
    return false;
}

bool read_object(Cursor& cur, std::string& out, int& col, std::string_view what, Rule& rule,
                 diag::Diagnostics& diags) {
    cur.skip_spaces();
    col = cur.column();
    std::string_view w = cur.word();
    if (w.empty()) {
        diags.report(Code::RuleSyntax, rule.at(col), "missing " + std::string(what));
        return false;
    }
    out = std::string(w);
    return true;
}

}  // namespace

std::optional<Rule> parse_rule(std::string_view text, const diag::Location& where,
                               diag::Diagnostics& diags) {
    Rule rule;
    rule.location = where;
    if (rule.location.column <= 0) rule.location.column = 1;
    Cursor cur{text, 0, rule.location.column};

    if (unescaped_length(text) > model::kMaxRuleLength) {
        diags.report(Code::TooLong, rule.at(cur.column() + static_cast<int>(model::kMaxRuleLength)),
                     "rule is " + std::to_string(unescaped_length(text)) + " characters; at most " +
                         std::to_string(model::kMaxRuleLength) + " fit");
        return std::nullopt;
    }
    if (!base::is_valid_utf8_text(text)) {
        diags.report(Code::RuleSyntax, rule.at(cur.column()),
                     "rule contains control characters or invalid UTF-8");
        return std::nullopt;
    }
    cur.skip_spaces();
    if (!cur.done() && cur.text[cur.pos] == ';') {
        rule.active = false;
        ++cur.pos;
    }
    cur.skip_spaces();
    rule.columns.action = cur.column();
    std::string_view action_word = cur.word();
    if (base::iequals(action_word, "protect")) {
        diags.report(Code::ObsoleteRule, rule.at(rule.columns.action),
                     "'protect' rules in rules.conf are ignored",
                     "anti-spoofing and DHCP are network RULEs; kernel protections are "
                     "interface RULEs");
        return std::nullopt;
    }
    if (base::iequals(action_word, "queue")) {
        diags.report(Code::RuleSyntax, rule.at(rule.columns.action),
                     "the 'queue' action was removed (ip_queue no longer exists)",
                     "use 'nfqueue' with options nfqueuenum=\"N\"");
        return std::nullopt;
    }
    auto action = model::parse_action(action_word);
    if (!action) {
        std::vector<std::string> names;
        for (auto a : {model::Action::Accept, model::Action::Drop, model::Action::Reject,
                       model::Action::Log, model::Action::Portfw, model::Action::Redirect,
                       model::Action::Snat, model::Action::Masq, model::Action::Dnat,
                       model::Action::Bounce, model::Action::Chain, model::Action::Nfqueue,
                       model::Action::Nflog, model::Action::Separator}) {
            names.emplace_back(model::action_name(a));
        }
        std::string hint = "actions: " + base::join(names, ", ");
        if (auto m = base::closest_match(action_word, names)) hint = "did you mean '" + *m + "'?";
        diags.report(Code::RuleSyntax, rule.at(rule.columns.action),
                     action_word.empty() ? std::string("empty rule")
                                         : "unknown action '" + base::printable(action_word, 40) + "'",
                     hint);
        return std::nullopt;
    }
    rule.action = *action;

    if (rule.action != model::Action::Separator) {
        if (!expect_keyword(cur, "service", rule, diags)) return std::nullopt;
        if (!read_object(cur, rule.service, rule.columns.service, "service name", rule, diags)) {
            return std::nullopt;
        }
        if (!expect_keyword(cur, "from", rule, diags)) return std::nullopt;
        if (!read_object(cur, rule.from, rule.columns.from, "source after 'from'", rule, diags)) {
            return std::nullopt;
        }
        if (!expect_keyword(cur, "to", rule, diags)) return std::nullopt;
        if (!read_object(cur, rule.to, rule.columns.to, "destination after 'to'", rule, diags)) {
            return std::nullopt;
        }
    }

    cur.skip_spaces();
    if (!cur.done()) {
        int col = cur.column();
        std::size_t save = cur.pos;
        std::string_view w = cur.word();
        if (!base::iequals(w, "options")) {
            cur.pos = save;
            diags.report(Code::RuleSyntax, rule.at(col),
                         "unexpected '" + base::printable(w, 40) + "'",
                         "only 'options ...' may follow the destination");
            return std::nullopt;
        }
        std::size_t options_start = cur.pos;
        const std::size_t options_length = unescaped_length(text.substr(options_start));
        if (options_length > model::kMaxOptionsLength + 1) {
            diags.report(Code::TooLong, rule.at(col),
                         "options are " + std::to_string(options_length - 1) +
                             " characters; at most " + std::to_string(model::kMaxOptionsLength) +
                             " fit");
            return std::nullopt;
        }
        parse_options(cur, rule, diags);
    }
    return rule;
}

std::string format_rule(const Rule& rule) {
    const auto& o = rule.options;
    std::vector<std::string> opts;
    auto quoted = [&](std::string_view name, const std::string& value) {
        opts.push_back(std::string(name) + "=\"" + value + "\"");
    };
    auto ports = [](const std::vector<model::PortRange>& list) {
        std::vector<std::string> parts;
        for (const auto& p : list) parts.push_back(p.str());
        return base::join(parts, ",");
    };
    if (o.via_int) quoted("via_int", *o.via_int);
    if (o.in_int) quoted("in_int", *o.in_int);
    if (o.out_int) quoted("out_int", *o.out_int);
    if (o.nfqueuenum) quoted("nfqueuenum", o.nfqueuenum->str());
    if (o.nflognum) quoted("nflognum", std::to_string(*o.nflognum));
    if (o.chain) quoted("chain", *o.chain);
    if (o.log) opts.emplace_back("log");
    if (o.loglimit) quoted("loglimit", std::to_string(*o.loglimit));
    if (o.logprefix) quoted("logprefix", *o.logprefix);
    if (o.listenport) quoted("listenport", ports(*o.listenport));
    if (o.remoteport) quoted("remoteport", ports(*o.remoteport));
    if (o.rejecttype) quoted("rejecttype", std::string(model::reject_type_name(*o.rejecttype)));
    if (o.redirectport) quoted("redirectport", std::to_string(*o.redirectport));
    if (o.nfmark) quoted("nfmark", std::to_string(*o.nfmark));
    if (o.limit) quoted("limit", o.limit->str());
    if (o.burst) quoted("burst", std::to_string(*o.burst));
    if (o.in_max) quoted("in_max", o.in_max->str());
    if (o.out_max) quoted("out_max", o.out_max->str());
    if (o.in_min) quoted("in_min", o.in_min->str());
    if (o.out_min) quoted("out_min", o.out_min->str());
    if (o.prio) quoted("prio", std::to_string(*o.prio));
    if (o.random) opts.emplace_back("random");
    if (o.bypass) opts.emplace_back("bypass");
    if (o.fanout) opts.emplace_back("fanout");
    if (o.comment) quoted("comment", *o.comment);

    std::string out = rule.active ? "" : ";";
    out += model::action_name(rule.action);
    if (!rule.is_separator()) {
        out += " service " + rule.service + " from " + rule.from + " to " + rule.to;
    }
    if (!opts.empty()) out += " options " + base::join(opts, ",");
    return out;
}

std::string escape_rule_value(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '"') {
            out += "\\\"";
            ++i;
        } else if (text[i] == '"') {
            out += "\\\"";
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace vuurmuur::config
