// SPDX-License-Identifier: GPL-2.0-or-later
#include <boost/program_options.hpp>
#include <clocale>
#include <exception>
#include <iostream>

#include "app.h"
#include "screens.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
    std::setlocale(LC_ALL, "");
    vuurmuur::tui::Options opts;
    po::options_description desc("Options");
    desc.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config-dir", po::value<std::string>()->default_value("/etc/vuurmuur")->value_name("DIR"),
         "the config tree (config.conf, zones/, services/, interfaces/, rules/)")
        ("state-dir", po::value<std::string>()->default_value("/var/lib/vuurmuur")->value_name("DIR"),
         "state directory of apply and confirm")
        ("confirm-seconds", po::value<unsigned>()->default_value(30)->value_name("N"),
         "Apply changes: seconds to confirm before the previous ruleset returns (1-86400)");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vuurmuur-tui: error: " << e.what() << "\n";
        return 1;
    }
    if (vm.count("help")) {
        std::cout << "Usage: vuurmuur-tui [--config-dir DIR] [--state-dir DIR] [--confirm-seconds N]\n\n"
                  << "The ncurses manager of Vuurmuur: rules, blocklist, zones, interfaces, services,\n"
                  << "settings and apply-with-confirm. See vuurmuur-tui(8).\n\n"
                  << desc;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "vuurmuur-tui " VUURMUUR_VERSION "\n";
        return 0;
    }
    opts.config_dir = vm["config-dir"].as<std::string>();
    opts.state_dir = vm["state-dir"].as<std::string>();
    opts.confirm_seconds = vm["confirm-seconds"].as<unsigned>();
    if (opts.config_dir.empty() || opts.state_dir.empty()) {
        std::cerr << "vuurmuur-tui: error: --config-dir and --state-dir need a directory\n";
        return 1;
    }
    if (opts.confirm_seconds < 1 || opts.confirm_seconds > 86400) {
        std::cerr << "vuurmuur-tui: error: --confirm-seconds takes 1 to 86400 seconds\n";
        return 1;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(opts.config_dir, ec)) {
        std::cerr << "vuurmuur-tui: error: " << opts.config_dir.string() << " is not a directory\n";
        return 2;
    }
    try {
        // The terminal is restored by Terminal's destructor before the handler below runs.
        vuurmuur::tui::Terminal terminal;
        vuurmuur::tui::App app(opts);
        app.push(vuurmuur::tui::main_menu(app));
        app.run();
    } catch (const std::exception& e) {
        std::cerr << "vuurmuur-tui: error: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
