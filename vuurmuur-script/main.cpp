// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-script: parse argv, run the command, map the result to an exit code.
#include <exception>
#include <iostream>

#include "commands.h"
#include "options.h"

int main(int argc, char** argv) {
    using namespace vuurmuur::script;
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        ParseResult parsed = parse_options(args);
        if (!parsed.options) {
            std::cerr << "vuurmuur-script: error: " << parsed.error << "\n"
                      << "Try 'vuurmuur-script --help'.\n";
            return kCommandLine;
        }
        return run(*parsed.options, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "vuurmuur-script: internal error: " << e.what() << "\n";
        return kInternal;
    }
}
