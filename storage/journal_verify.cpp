#include "storage/journal_verify.hpp"

#include "crypto/digest.hpp"

#include <fmt/format.h>

namespace qaqpa::storage {

std::string row_hash(std::string_view canonical) { return crypto::sha256_hex(canonical); }

verify_report verify_export(std::istream& in, std::size_t max_problems) {
    verify_report rep;
    std::string line;
    std::uint64_t line_no = 0;
    std::uint64_t expected = 0; // the next row's number, once the first is read
    std::string prev;
    bool broken = false;
    auto problem = [&](std::string text) {
        broken = true;
        if (rep.problems.size() < max_problems) rep.problems.push_back(fmt::format("line {}: {}", line_no, text));
    };
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto r = parse_json_line(line);
        if (!r) {
            problem("not a journal row: " + r.error().detail);
            continue;
        }
        if (expected == 0) {
            rep.first = r->number;
            if (r->number == 1 && r->prev_hash != journal_genesis_hash())
                problem("row 1 does not start the chain (its prev is not the genesis hash)");
        } else if (r->number != expected) {
            if (r->number > expected)
                problem(r->number == expected + 1
                            ? fmt::format("row {} follows row {}: row {} was removed", r->number, expected - 1, expected)
                            : fmt::format("row {} follows row {}: rows {} to {} were removed", r->number, expected - 1,
                                          expected, r->number - 1));
            else
                problem(fmt::format("row {} comes after row {}: rows are out of order", r->number, expected - 1));
        } else if (r->prev_hash != prev) {
            problem(fmt::format("row {} does not link to row {} (its prev is not that row's hash)", r->number,
                                expected - 1));
        }
        if (row_hash(canonical_bytes(*r)) != r->hash)
            problem(fmt::format("row {} was changed (its content does not match its hash)", r->number));
        if (!broken) ++rep.rows;
        expected = r->number + 1;
        prev = r->hash;
        rep.last = r->number;
        rep.last_hash = r->hash;
    }
    if (line_no == 0 || (rep.first == 0 && rep.problems.empty())) {
        broken = true;
        rep.problems.push_back("no journal rows");
    }
    rep.ok = !broken;
    return rep;
}

} // namespace qaqpa::storage
