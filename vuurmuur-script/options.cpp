// SPDX-License-Identifier: GPL-2.0-or-later
#include "options.h"

#include <boost/program_options.hpp>
#include <sstream>

namespace vuurmuur::script {

namespace po = boost::program_options;

ParseResult parse_options(const std::vector<std::string>& args) {
    po::options_description general("Options");
    general.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config-dir", po::value<std::string>()->default_value("/etc/vuurmuur"),
         "the config tree (config.conf, zones/, services/, interfaces/, rules/)")
        ("list,L", "list the names of objects of the selected type")
        ("print,P", "print the variables of the selected object")
        ("rule-numbers", "with -P -r: number the rules")
        ("variable,V", po::value<std::string>(), "variable to print")
        ("json", "machine-readable output (check)")
        ("family", po::value<std::string>(), "compile: only ipv4 or ipv6")
        ("dump", po::value<std::string>(), "compile: show a stage instead: model or ir")
        ("verbose,v", "more output");
    po::options_description objects("Object selection");
    objects.add_options()
        ("host,o", po::value<std::string>(), "host: host.network.zone (or a filter with -L)")
        ("group,g", po::value<std::string>(), "group: group.network.zone")
        ("network,n", po::value<std::string>(), "network: network.zone")
        ("zone,z", po::value<std::string>(), "zone")
        ("service,s", po::value<std::string>(), "service")
        ("interface,i", po::value<std::string>(), "interface")
        ("rule,r", po::value<std::string>(), "ruleset: rules or blocklist");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::vector<std::string>>(), "verb");
    po::positional_options_description positional;
    positional.add("command", -1);

    po::options_description all;
    all.add(general).add(objects).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return {std::nullopt, e.what()};
    }

    ScriptOptions opts;
    std::ostringstream help;
    help << "Usage: vuurmuur-script [--config-dir DIR] COMMAND | -L|-P OBJECT [options]\n\n"
         << "Commands:\n"
         << "  check                 load and validate the config tree; exit 1 on errors\n"
         << "  compile               check, then print the iptables-restore rulesets\n"
         << "                        (--family ipv4|ipv6; --dump model|ir shows a stage)\n\n"
         << "Examples:\n"
         << "  vuurmuur-script --config-dir /etc/vuurmuur check\n"
         << "  vuurmuur-script -L -o local.lan\n"
         << "  vuurmuur-script -P -r rules --rule-numbers\n\n"
         << general << "\n" << objects;
    opts.help_text = help.str();
    opts.config_dir = vm["config-dir"].as<std::string>();
    opts.rule_numbers = vm.count("rule-numbers") != 0;
    opts.json = vm.count("json") != 0;
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
    if (vm.count("help")) opts.mode = Mode::Help, ++modes;
    if (vm.count("version")) opts.mode = Mode::Version, ++modes;
    if (vm.count("list")) opts.mode = Mode::List, ++modes;
    if (vm.count("print")) opts.mode = Mode::Print, ++modes;
    if (vm.count("command")) {
        auto words = vm["command"].as<std::vector<std::string>>();
        if (words.size() != 1) return {std::nullopt, "expected one command, got '" + words[1] + "' too"};
        if (words[0] == "check") opts.mode = Mode::Check, ++modes;
        else if (words[0] == "compile") opts.mode = Mode::Compile, ++modes;
        else return {std::nullopt, "unknown command '" + words[0] + "' (see --help)"};
    }
    if (opts.mode == Mode::Help || opts.mode == Mode::Version) return {opts, {}};
    if (modes == 0) return {std::nullopt, "nothing to do: give a command or -L/-P (see --help)"};
    if (modes > 1) return {std::nullopt, "give only one of the commands and -L/-P"};
    if ((opts.mode == Mode::List || opts.mode == Mode::Print) && !opts.kind) {
        return {std::nullopt, "-L and -P need an object type: -o -g -n -z -s -i or -r"};
    }
    return {opts, {}};
}

}  // namespace vuurmuur::script
