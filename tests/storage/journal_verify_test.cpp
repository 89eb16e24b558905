#include "storage/journal_verify.hpp"

#include "tests/support/catch.hpp"

#include <sstream>

using namespace qaqpa;
using namespace qaqpa::storage;

namespace {

/// A chain of `n` rows from `first` on, linked to `prev`, as the store writes it.
std::vector<std::string> chain_lines(int n, std::uint64_t first = 1, std::string prev = journal_genesis_hash()) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        journal_row r;
        r.number = first + static_cast<std::uint64_t>(i);
        r.recorded_ms = 1796311757000 + i;
        r.prev_hash = prev;
        r.event.kind = journal_event_kind::accepted;
        r.event.message_id = "m" + std::to_string(r.number);
        r.event.sender = "sender";
        r.hash = row_hash(canonical_bytes(r));
        prev = r.hash;
        out.push_back(to_json_line(r));
    }
    return out;
}

verify_report verify(const std::vector<std::string>& lines) {
    std::stringstream in;
    for (const auto& l : lines) in << l << '\n';
    return verify_export(in);
}

bool names(const verify_report& r, std::string_view text) {
    for (const auto& p : r.problems)
        if (p.find(text) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("an untouched export verifies", "[unit][storage][journal]") {
    const auto r = verify(chain_lines(50));
    CHECK(r.ok);
    CHECK(r.problems.empty());
    CHECK(r.rows == 50);
    CHECK(r.first == 1);
    CHECK(r.last == 50);
}

TEST_CASE("a changed row is named", "[unit][storage][journal]") {
    auto lines = chain_lines(10);
    const auto at = lines[4].find("\"sender\":\"sender\"");
    lines[4].replace(at, 17, "\"sender\":\"mallory\"");
    const auto r = verify(lines);
    CHECK_FALSE(r.ok);
    CHECK(names(r, "line 5: row 5 was changed"));
    CHECK(r.rows == 4);
}

TEST_CASE("a changed row whose hash was recomputed breaks the next link", "[unit][storage][journal]") {
    auto lines = chain_lines(10);
    auto row = parse_json_line(lines[4]);
    REQUIRE(row);
    row->event.sender = "mallory";
    row->hash = row_hash(canonical_bytes(*row));
    lines[4] = to_json_line(*row);
    const auto r = verify(lines);
    CHECK_FALSE(r.ok);
    CHECK(names(r, "row 6 does not link to row 5"));
}

TEST_CASE("a removed row and reordered rows are named", "[unit][storage][journal]") {
    auto lines = chain_lines(10);
    auto removed = lines;
    removed.erase(removed.begin() + 3);
    const auto r1 = verify(removed);
    CHECK_FALSE(r1.ok);
    CHECK(names(r1, "row 5 follows row 3: row 4 was removed"));

    auto swapped = lines;
    std::swap(swapped[6], swapped[7]);
    const auto r2 = verify(swapped);
    CHECK_FALSE(r2.ok);
    CHECK(names(r2, "row 7 comes after row 8: rows are out of order"));
}

TEST_CASE("an export after a pruned range verifies from its anchor", "[unit][storage][journal]") {
    const auto all = chain_lines(20);
    const std::vector<std::string> kept(all.begin() + 12, all.end());
    const auto r = verify(kept);
    CHECK(r.ok);
    CHECK(r.first == 13);
    CHECK(r.last == 20);
    // but a row 1 that does not start from the genesis hash is not a start
    auto forged = chain_lines(3, 1, std::string(64, 'f'));
    CHECK_FALSE(verify(forged).ok);
}

TEST_CASE("lines that are not rows, and an empty file, do not verify", "[unit][storage][journal]") {
    auto lines = chain_lines(3);
    lines.insert(lines.begin() + 1, "{\"row\":\"two\"}");
    const auto r = verify(lines);
    CHECK_FALSE(r.ok);
    CHECK(names(r, "line 2: not a journal row"));
    CHECK_FALSE(verify({}).ok);
}
