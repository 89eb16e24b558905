// `qaqpa journal verify FILE [--head HASH]`: checks an export of the logging
// journal (JSON lines) without a running node: every row's hash, every link
// to the row before, the numbering. With --head (the node's
// /admin/v1/journal/head lastHash), the last row must be that one, so
// rows cut from the end or a rewritten tail are found too.
// Exit: 0 the chain verifies, 1 it does not (each problem named), 2 usage.
#include "cmd/commands.hpp"

#include "storage/journal_verify.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace qaqpa::cmd {

int journal(std::span<const std::string_view> args) {
    constexpr const char* usage = "usage: qaqpa journal verify FILE [--head HASH]   (FILE - reads stdin)\n";
    if (args.size() < 2 || args[0] != "verify" || (args.size() != 2 && (args.size() != 4 || args[2] != "--head"))) {
        std::cerr << usage;
        return 2;
    }
    const std::string file(args[1]);
    const std::optional<std::string> head = args.size() == 4 ? std::optional(std::string(args[3])) : std::nullopt;
    std::ifstream in;
    if (file != "-") {
        in.open(file, std::ios::binary);
        if (!in) {
            std::cerr << "qaqpa journal: cannot read " << file << '\n';
            return 2;
        }
    }
    auto report = storage::verify_export(file == "-" ? std::cin : in);
    if (report.ok && head && report.last_hash != *head) {
        report.ok = false;
        report.problems.push_back("the last row (" + std::to_string(report.last) +
                                  ") is not the node's head: rows after it were cut, or the tail was rewritten");
    }
    for (const auto& p : report.problems) std::cout << file << ": " << p << '\n';
    if (!report.ok) {
        std::cout << file << ": NOT VERIFIED (" << report.rows << " rows verified before the first problem)\n";
        return 1;
    }
    std::cout << file << ": verified " << report.rows << " rows, " << report.first << " to " << report.last;
    if (report.first > 1) std::cout << " (rows before " << report.first << " were pruned; the chain is anchored there)";
    std::cout << '\n';
    return 0;
}

} // namespace qaqpa::cmd
