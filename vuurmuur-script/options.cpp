// SPDX-License-Identifier: GPL-2.0-or-later
#include "options.h"

#include <boost/program_options.hpp>
#include <sstream>

#include "apply_command.h"
#include "vuurmuur/base/strings.h"

namespace vuurmuur::script {

namespace po = boost::program_options;

namespace {

std::optional<std::size_t> parse_number(const std::string& text) {
    auto n = base::parse_uint(text, 1000000000u);
    if (!n) return std::nullopt;
    return static_cast<std::size_t>(*n);
}

/// `rules VERB ARGS...` -> options; an error message or empty.
std::string parse_rules_words(const std::vector<std::string>& words, ScriptOptions& opts) {
    if (words.size() < 2) return "rules needs a verb: list, add, move, activate, deactivate or delete";
    const std::string& verb = words[1];
    const std::size_t args = words.size() - 2;
    auto number = [&](std::size_t i, std::size_t& out) -> std::string {
        auto n = parse_number(words[i]);
        if (!n || *n == 0) return "rule numbers start at 1; '" + base::printable(words[i]) + "' is not one";
        out = *n;
        return {};
    };
    auto want = [&](std::size_t n, const char* usage) -> std::string {
        if (args != n) return std::string("usage: rules ") + usage;
        return {};
    };
    std::string error;
    if (verb == "list") {
        opts.rules_verb = RulesVerb::List;
        error = want(0, "list [--json]");
    } else if (verb == "add") {
        opts.rules_verb = RulesVerb::Add;
        error = want(1, "add 'RULE TEXT' [--at N]");
        if (error.empty()) opts.rule_text = words[2];
    } else if (verb == "move") {
        opts.rules_verb = RulesVerb::Move;
        error = want(2, "move N M");
        if (error.empty()) error = number(2, opts.rule_a);
        if (error.empty()) error = number(3, opts.rule_b);
    } else if (verb == "activate" || verb == "deactivate" || verb == "delete") {
        opts.rules_verb = verb == "activate"     ? RulesVerb::Activate
                          : verb == "deactivate" ? RulesVerb::Deactivate
                                                 : RulesVerb::Delete;
        error = want(1, (verb + " N").c_str());
        if (error.empty()) error = number(2, opts.rule_a);
    } else {
        error = "unknown rules verb '" + base::printable(verb) +
                "' (list, add, move, activate, deactivate, delete)";
    }
    return error;
}

}  // namespace

ParseResult parse_options(const std::vector<std::string>& args) {
    po::options_description general("Options");
    general.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config-dir", po::value<std::string>()->default_value("/etc/vuurmuur"),
         "the config tree (config.conf, zones/, services/, interfaces/, rules/)")
        ("config-file,c", po::value<std::string>(),
         "read the settings from this config.conf instead of the tree's")
        ("verbose,v", "also print the audit lines of changes to stdout")
        ("debug,d", po::value<int>(), "debug level 1-3 (accepted for compatibility; no effect)")
        ("json", "machine-readable output (-L, -P, check, diff, capabilities, rules list, "
                 "--list-blocked; docs/json.md)")
        ("list-devices", "print the network devices: dev ip netmask network broadcast")
        ("list-paths", "print the paths in use: sysconfdir, config dir, config.conf, plugin "
                       "dir, data dir");
    po::options_description actions("Actions on objects");
    actions.add_options()
        ("list,L", "list the names of objects of the selected type")
        ("print,P", "print the variables of the selected object")
        ("create,C", "create the selected object (with the original's template)")
        ("delete,D", "delete the selected object; refused while others name it")
        ("force", "with -D: delete even when rules, groups, the blocklist or networks name it")
        ("rename,R", "rename the selected object to the name given with -S")
        ("modify,M", "set variable -V of the selected object to -S")
        ("variable,V", po::value<std::string>(), "variable to print or modify")
        ("set,S", po::value<std::string>(), "the value for -M, the new name for -R")
        ("append,A", "with -M: add the value to a multi-valued variable")
        ("overwrite,O", "with -M: replace every value (the default)")
        ("rule-numbers", "with -P -r: number the rules")
        ("block", po::value<std::string>(), "add an IP address, host or group to the blocklist")
        ("unblock", po::value<std::string>(), "remove an entry from the blocklist")
        ("list-blocked", "print the blocklist")
        ("apply", "apply the change to the running firewall (needs root)")
        ("no-apply", "do not apply (block and unblock apply by default)")
        ("reload", "apply the config to the running firewall (needs root)")
        ("at", po::value<std::string>(), "with rules add: the position of the new rule");
    po::options_description objects("Object selection");
    objects.add_options()
        ("host,o", po::value<std::string>(), "host: host.network.zone (or a filter with -L)")
        ("group,g", po::value<std::string>(), "group: group.network.zone")
        ("network,n", po::value<std::string>(), "network: network.zone")
        ("zone,z", po::value<std::string>(), "zone")
        ("service,s", po::value<std::string>(), "service")
        ("interface,i", po::value<std::string>(), "interface")
        ("rule,r", po::value<std::string>(), "ruleset: rules or blocklist");
    po::options_description compile_opts("compile");
    compile_opts.add_options()
        ("family", po::value<std::string>(), "compile: only ipv4 or ipv6")
        ("dump", po::value<std::string>(), "compile: show a stage instead: model or ir");
    po::options_description apply_opts = apply_options();
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>(), "verb");
    po::positional_options_description positional;
    positional.add("command", -1);

    po::options_description all;
    all.add(general).add(actions).add(objects).add(compile_opts).add(apply_opts).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return {std::nullopt, e.what()};
    }

    ScriptOptions opts;
    std::ostringstream help;
    help << "Usage: vuurmuur-script [--config-dir DIR] COMMAND\n"
         << "       vuurmuur-script [--config-dir DIR] -L|-P|-C|-D|-R|-M OBJECT [options]\n\n"
         << "Commands:\n"
         << "  check                 load and validate the config tree; exit 1 on errors\n"
         << "  compile               check, then print the iptables-restore rulesets\n"
         << "                        (--family ipv4|ipv6; --dump model|ir shows a stage)\n"
         << "  rules list            the rules of rules.conf, numbered\n"
         << "  rules add 'RULE' [--at N]   add a rule (at the end, or at position N)\n"
         << "  rules move N M        move rule N so that it becomes rule M\n"
         << "  rules activate N | deactivate N | delete N\n"
         << "  apply [--test | --confirm SECONDS | --boot] [--state-dir DIR]\n"
         << "                        check, compile and load IPv4 + IPv6 as one (docs/apply.md)\n"
         << "  confirm [--state-dir DIR]   keep the ruleset of a pending apply --confirm\n"
         << "  diff [--json]         the running ruleset vs what the tree compiles to, per chain;\n"
         << "                        exit 0 when equal, 1 when they differ, 2 when not compared\n"
         << "  capabilities [--json] the matches, targets and tables the kernel and iptables have\n"
         << "  watch                 re-apply when an address of a dynamic interface changes\n\n"
         << "Exit codes: 0 ok, 1 command line or bad value, 2 command failed, 3 not found,\n"
         << "4 already exists, 6 data inconsistency, 254 internal error.\n\n"
         << "Examples:\n"
         << "  vuurmuur-script --config-dir /etc/vuurmuur check\n"
         << "  vuurmuur-script -C -n web.dmz\n"
         << "  vuurmuur-script -M -n web.dmz -V INTERFACE -S dmz-nic --append\n"
         << "  vuurmuur-script -R -o pc1.local.lan -S pc2\n"
         << "  vuurmuur-script -L -o local.lan --json\n"
         << "  vuurmuur-script -P -r rules --rule-numbers\n\n"
         << general << "\n" << actions << "\n" << objects << "\n" << compile_opts << "\n" << apply_opts;
    opts.help_text = help.str();
    opts.config_dir = vm["config-dir"].as<std::string>();
    if (vm.count("config-file")) opts.config_file = vm["config-file"].as<std::string>();
    opts.rule_numbers = vm.count("rule-numbers") != 0;
    opts.json = vm.count("json") != 0;
    opts.force = vm.count("force") != 0;
    opts.append = vm.count("append") != 0;
    if (opts.append && vm.count("overwrite")) return {std::nullopt, "give --append or --overwrite, not both"};
    if (vm.count("apply") && vm.count("no-apply")) return {std::nullopt, "give --apply or --no-apply, not both"};
    if (vm.count("apply")) opts.apply = ApplyChoice::Yes;
    if (vm.count("no-apply")) opts.apply = ApplyChoice::No;
    if (vm.count("debug")) {
        int level = vm["debug"].as<int>();
        if (level < 1 || level > 3) return {std::nullopt, "-d takes a debug level from 1 to 3"};
    }
    if (vm.count("family")) {
        opts.family = vm["family"].as<std::string>();
        if (opts.family != "ipv4" && opts.family != "ipv6") {
            return {std::nullopt, "--family takes ipv4 or ipv6, not '" + opts.family + "'"};
        }
    }
    if (vm.count("dump")) {
        opts.dump = vm["dump"].as<std::string>();
        if (opts.dump != "model" && opts.dump != "ir") {
            return {std::nullopt, "--dump takes model or ir, not '" + opts.dump + "'"};
        }
    }
    opts.verbose = vm.count("verbose") != 0;
    if (vm.count("variable")) opts.variable = vm["variable"].as<std::string>();
    if (vm.count("set")) opts.value = vm["set"].as<std::string>();

    struct Selector {
        const char* option;
        model::ObjectKind kind;
    };
    const Selector selectors[] = {
        {"host", model::ObjectKind::Host},         {"group", model::ObjectKind::Group},
        {"network", model::ObjectKind::Network},   {"zone", model::ObjectKind::Zone},
        {"service", model::ObjectKind::Service},   {"interface", model::ObjectKind::Interface},
        {"rule", model::ObjectKind::Ruleset},
    };
    for (const auto& s : selectors) {
        if (!vm.count(s.option)) continue;
        if (opts.kind) return {std::nullopt, "select only one object type (-o -g -n -z -s -i -r)"};
        opts.kind = s.kind;
        opts.object = vm[s.option].as<std::string>();
    }

    int modes = 0;
    auto set_mode = [&](const char* option, Mode mode) {
        if (vm.count(option)) opts.mode = mode, ++modes;
    };
    set_mode("help", Mode::Help);
    set_mode("version", Mode::Version);
    set_mode("list", Mode::List);
    set_mode("print", Mode::Print);
    set_mode("create", Mode::Create);
    set_mode("delete", Mode::Delete);
    set_mode("rename", Mode::Rename);
    set_mode("modify", Mode::Modify);
    set_mode("list-blocked", Mode::ListBlocked);
    set_mode("reload", Mode::Reload);
    set_mode("list-devices", Mode::ListDevices);
    set_mode("list-paths", Mode::ListPaths);
    if (vm.count("block")) opts.mode = Mode::Block, opts.item = vm["block"].as<std::string>(), ++modes;
    if (vm.count("unblock")) opts.mode = Mode::Unblock, opts.item = vm["unblock"].as<std::string>(), ++modes;
    if (vm.count("command")) {
        auto words = vm["command"].as<std::vector<std::string>>();
        if (words[0] == "rules") {
            opts.mode = Mode::Rules, ++modes;
            std::string error = parse_rules_words(words, opts);
            if (!error.empty()) return {std::nullopt, error};
        } else {
            if (words.size() != 1) return {std::nullopt, "expected one command, got '" + words[1] + "' too"};
            if (words[0] == "check") opts.mode = Mode::Check, ++modes;
            else if (words[0] == "compile") opts.mode = Mode::Compile, ++modes;
            else if (words[0] == "apply") opts.mode = Mode::Apply, ++modes;
            else if (words[0] == "confirm") opts.mode = Mode::Confirm, ++modes;
            else if (words[0] == "diff") opts.mode = Mode::Diff, ++modes;
            else if (words[0] == "capabilities") opts.mode = Mode::Capabilities, ++modes;
            else if (words[0] == "watch") opts.mode = Mode::Watch, ++modes;
            else return {std::nullopt, "unknown command '" + words[0] + "' (see --help)"};
        }
    }
    if (auto error = read_apply_options(vm, opts); !error.empty()) return {std::nullopt, error};
    if (opts.mode == Mode::Help || opts.mode == Mode::Version) return {opts, {}};
    if (modes == 0) return {std::nullopt, "nothing to do: give a command or -L/-P/-C/-D/-R/-M (see --help)"};
    if (modes > 1) {
        return {std::nullopt, "give only one of the commands, -L -P -C -D -R -M, --block, --unblock, "
                              "--list-blocked, --reload, --list-devices and --list-paths"};
    }
    const Mode m = opts.mode;
    const bool object_mode = m == Mode::List || m == Mode::Print || m == Mode::Create ||
                             m == Mode::Delete || m == Mode::Rename || m == Mode::Modify;
    if (object_mode && !opts.kind) {
        return {std::nullopt, "-L -P -C -D -R and -M need an object type: -o -g -n -z -s -i or -r"};
    }
    if (!object_mode && opts.kind) {
        return {std::nullopt, "an object (-o -g -n -z -s -i -r) is only used with -L -P -C -D -R -M"};
    }
    if (m == Mode::Rename && !opts.value) return {std::nullopt, "-R needs the new name: -S NAME"};
    if (m == Mode::Modify && (opts.variable.empty() || !opts.value)) {
        return {std::nullopt, "-M needs a variable and a value: -V VARIABLE -S VALUE"};
    }
    if (opts.value && m != Mode::Rename && m != Mode::Modify) {
        return {std::nullopt, "-S is only used with -M (the value) and -R (the new name)"};
    }
    if ((opts.append || vm.count("overwrite")) && m != Mode::Modify) {
        return {std::nullopt, "--append and --overwrite are only used with -M"};
    }
    if (opts.force && m != Mode::Delete) return {std::nullopt, "--force is only used with -D"};
    if (vm.count("at")) {
        if (m != Mode::Rules || opts.rules_verb != RulesVerb::Add) {
            return {std::nullopt, "--at is only used with rules add"};
        }
        auto n = parse_number(vm["at"].as<std::string>());
        if (!n || *n == 0) return {std::nullopt, "--at takes a rule position from 1"};
        opts.at = *n;
    }
    const bool json_mode = m == Mode::List || m == Mode::Print || m == Mode::Check ||
                           m == Mode::ListBlocked || m == Mode::Diff || m == Mode::Capabilities ||
                           (m == Mode::Rules && opts.rules_verb == RulesVerb::List);
    if (opts.json && !json_mode) {
        return {std::nullopt, "--json is used with -L, -P, check, diff, capabilities, rules list and "
                              "--list-blocked"};
    }
    const bool changes = m == Mode::Create || m == Mode::Delete || m == Mode::Rename ||
                         m == Mode::Modify || m == Mode::Block || m == Mode::Unblock ||
                         m == Mode::Reload || (m == Mode::Rules && opts.rules_verb != RulesVerb::List);
    if (opts.apply != ApplyChoice::Default && !changes) {
        return {std::nullopt, "--apply and --no-apply are used with changes (-C -D -R -M, rules, "
                              "--block, --unblock)"};
    }
    return {opts, {}};
}

bool needs_kernel(const ScriptOptions& o) {
    const Mode m = o.mode;
    if (m == Mode::Apply || m == Mode::Confirm || m == Mode::Diff || m == Mode::Capabilities ||
        m == Mode::Watch || m == Mode::Reload) {
        return true;
    }
    if (m == Mode::Block || m == Mode::Unblock) return o.apply != ApplyChoice::No;
    return o.apply == ApplyChoice::Yes;
}

}  // namespace vuurmuur::script
