#include "routing/policies/sliding_window.hpp"

#include "tests/support/catch.hpp"

using qaqpa::routing::sliding_window;

TEST_CASE("at most N starts in any window, also across a window boundary", "[unit][routing]") {
    sliding_window w(3, 1000);
    // Three at the end of one "fixed" window...
    CHECK(w.try_add(900));
    CHECK(w.try_add(950));
    CHECK(w.try_add(999));
    // ...and none at the start of the next: a fixed-window counter would
    // admit three more here, six in 101 ms.
    CHECK_FALSE(w.try_add(1000));
    CHECK_FALSE(w.try_add(1899));
    CHECK(w.next_free(1000) == 1900);
    CHECK(w.try_add(1900)); // the event at 900 has left (1900 - 1000)
    CHECK_FALSE(w.try_add(1900));
    CHECK(w.next_free(1900) == 1950);
}

TEST_CASE("any window of the burst holds no more than N", "[unit][routing]") {
    sliding_window w(5, 100);
    std::vector<sliding_window::ms> started;
    for (sliding_window::ms t = 0; t < 1000; t += 7)
        if (w.try_add(t)) started.push_back(t);
    for (std::size_t i = 0; i < started.size(); ++i) {
        int in_window = 0;
        for (auto s : started)
            if (s > started[i] - 100 && s <= started[i]) ++in_window;
        CHECK(in_window <= 5);
    }
    CHECK(started.size() >= 45); // and it does let N per window through
}

TEST_CASE("failures counted within the window trip at exactly M", "[unit][routing]") {
    sliding_window errors(3, 60000);
    CHECK(errors.add(0) == 1);
    CHECK(errors.add(1000) == 2);
    CHECK(errors.add(60500) == 2); // the one at 0 has aged out; 1000 is still in (500, 60500]
    CHECK(errors.add(60900) == 3);
    CHECK(errors.count(200000) == 0);
}

TEST_CASE("a zero limit admits nothing", "[unit][routing]") {
    sliding_window w(0, 1000);
    CHECK_FALSE(w.try_add(0));
    CHECK(w.count(0) == 0);
}
