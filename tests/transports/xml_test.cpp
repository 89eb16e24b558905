#include "transports/soap/xml.hpp"

#include "tests/support/catch.hpp"

using namespace qaqpa;
using namespace qaqpa::soap;

TEST_CASE("namespaces resolve through any prefix and default declarations", "[unit][soap]") {
    const std::string text = R"(<a:root xmlns:a="urn:a" xmlns="urn:default"><child/><b:x xmlns:b="urn:b"><y/></b:x></a:root>)";
    xml_document doc;
    auto root = doc.parse(text);
    REQUIRE(root);
    CHECK(namespace_of(*root) == "urn:a");
    CHECK(local_name(*root) == "root");
    const auto* c = first_element(*root);
    CHECK(namespace_of(c) == "urn:default");
    const auto* x = next_element(c);
    CHECK(is(x, "urn:b", "x"));
    CHECK(namespace_of(first_element(x)) == "urn:default");
}

TEST_CASE("DOCTYPE, NUL bytes, deep nesting and malformed XML are refused", "[unit][soap]") {
    xml_document doc;
    const std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>)";
    const std::string xxe = R"(<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>)";
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += "<a>";
    for (const std::string& bad : {laughs, xxe, deep, std::string("<a>\0</a>", 8), std::string("<a><b></a>"),
                                   std::string(""), std::string("{\"json\": true}"), std::string("<a attr='x>")}) {
        auto r = doc.parse(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::bad_envelope);
    }
    CHECK(doc.parse(laughs).error().detail == "DOCTYPE is not allowed");
}

TEST_CASE("C0 control characters other than TAB, LF, CR are refused, never stripped", "[unit][soap]") {
    xml_document doc;
    for (const std::string& bad : {std::string("<a>ec\x01ho</a>"), std::string("<a b='\x1f'/>"),
                                   std::string("<a><data>\x08</data></a>")}) {
        auto r = doc.parse(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().detail.find("control character") != std::string::npos);
    }
    const std::string fine = "<a>\tx\r\ny</a>";
    CHECK(doc.parse(fine));
    // At every position of a longer document (the check runs sixteen bytes
    // at a time, then byte by byte), and named by its code.
    const std::string text = "<a>" + std::string(45, 'x') + "</a>";
    for (std::size_t at = 3; at < 48; ++at) {
        for (const char allowed : {'\t', '\n', '\r'}) {
            auto ok = text;
            ok[at] = allowed;
            CHECK(doc.parse(ok));
        }
        auto bad = text;
        bad[at] = static_cast<char>(at % 2 ? 0x1f : 0x00);
        auto r = doc.parse(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().detail.find(at % 2 ? "U+001F" : "U+0000") != std::string::npos);
    }
    // Bytes of 0x80 and above (UTF-8) are no control characters.
    const auto high = doc.parse("<a>" + std::string(45, '\x80') + "</a>");
    CHECK((high || high.error().detail.find("control") == std::string::npos));
}

TEST_CASE("element text decodes entities and CDATA; undefined entities are refused", "[unit][soap]") {
    xml_document doc;
    const std::string text = "<a><b>x &amp; y &lt;z&gt; &#1179;&#x49B;</b><c><![CDATA[<raw>&amp;]]></c><d>&nbsp;</d></a>";
    auto root = doc.parse(text);
    REQUIRE(root);
    CHECK(text_of(child(*root, "b")) == std::optional<std::string>("x & y <z> \xd2\x9b\xd2\x9b"));
    CHECK(text_of(child(*root, "c")) == std::optional<std::string>("<raw>&amp;"));
    CHECK_FALSE(text_of(child(*root, "d")));
}

TEST_CASE("the payload is carried byte for byte with its namespaces", "[unit][soap]") {
    const std::string content =
        "\n  <p:doc  a='1'>Сәлем &amp; <!-- </data> --><![CDATA[</data>]]><data>nested</data><e/></p:doc>\n";
    const std::string text = R"(<s:Env xmlns:s="urn:s" xmlns:p="urn:payload" xmlns:xsi="urn:xsi"><r><data xsi:type="p:T" xmlns:q="urn:q">)" +
                             content + "</data></r></s:Env>";
    xml_document doc;
    auto root = doc.parse(text);
    REQUIRE(root);
    auto p = extract_payload(child(first_element(*root), "data"));
    REQUIRE(p);
    CHECK(p->present);
    CHECK(p->content == content);
    CHECK(p->attributes.find(R"(xsi:type="p:T")") != std::string::npos);
    CHECK(p->attributes.find(R"(xmlns:q="urn:q")") != std::string::npos);
    CHECK(p->attributes.find(R"(xmlns:p="urn:payload")") != std::string::npos);
    CHECK(p->attributes.find(R"(xmlns:xsi="urn:xsi")") != std::string::npos);
    CHECK(p->attributes.find(R"(xmlns:s="urn:s")") != std::string::npos);
}

TEST_CASE("a self-closing data element is an empty payload", "[unit][soap]") {
    const std::string text = "<r><data/></r>";
    xml_document doc;
    auto root = doc.parse(text);
    REQUIRE(root);
    auto p = extract_payload(child(*root, "data"));
    REQUIRE(p);
    CHECK(p->present);
    CHECK(p->content.empty());
}

TEST_CASE("escaping covers markup characters", "[unit][soap]") {
    std::string out;
    append_element(out, "m", R"(a<b>&"c")");
    CHECK(out == "<m>a&lt;b&gt;&amp;&quot;c&quot;</m>");
    out.clear();
    append_escaped(out, "tab\there\x01\x1f\nok");
    CHECK(out == "tab\there??\nok"); // C0 controls are not XML characters
}

TEST_CASE("escaping finds markup at every position of long text", "[unit][soap]") {
    // The scan goes sixteen bytes at a time: put each special character at
    // each offset of a long line (UTF-8 around it) and compare with escaping
    // by hand.
    const std::string specials = std::string("&<>\"\x01\x1f") + '\0';
    for (char special : specials) {
        for (std::size_t at = 0; at < 40; ++at) {
            std::string text = "Сәлем, әлем! plain text long enough for several blocks";
            text.insert(at, 1, special);
            std::string expected;
            for (char c : text) {
                if (c == '&') expected += "&amp;";
                else if (c == '<') expected += "&lt;";
                else if (c == '>') expected += "&gt;";
                else if (c == '"') expected += "&quot;";
                else if (static_cast<unsigned char>(c) < 0x20) expected += '?';
                else expected += c;
            }
            std::string out = "keep:";
            append_escaped(out, text);
            INFO("special " << int(special) << " at " << at);
            CHECK(out == "keep:" + expected);
        }
    }
    std::string out;
    append_escaped(out, std::string(100, 'x') + "\t\r\n" + std::string(30, 'y'));
    CHECK(out == std::string(100, 'x') + "\t\r\n" + std::string(30, 'y'));
}

TEST_CASE("the message payload makes no table entries and is carried whole", "[unit][soap]") {
    std::string payload = "<p:list xmlns:p=\"urn:p\">";
    for (int i = 0; i < 20000; ++i) payload += "<p:i n='" + std::to_string(i) + "'/>";
    payload += "<data>inner data element</data><![CDATA[</requestData>]]></p:list>";
    const std::string text = "<env><requestData><data>" + payload + "</data></requestData></env>";
    xml_document doc;
    auto root = doc.parse(text);
    REQUIRE(root);
    CHECK(doc.payload() == payload);
    CHECK(doc.element_count() == 3); // env, requestData, data: none of the payload's 20,001
    CHECK_FALSE(text_of(child(child(*root, "requestData"), "data"))); // it holds elements
    auto p = extract_payload(child(child(*root, "requestData"), "data"));
    REQUIRE(p);
    CHECK(p->content == payload);
}

TEST_CASE("end tags must match, in the payload too", "[unit][soap]") {
    xml_document doc;
    auto r = doc.parse("<env><requestData><data><a><b></a></b></data></requestData></env>");
    REQUIRE_FALSE(r);
    CHECK(r.error().detail == "end tag </a> does not match");
    CHECK_FALSE(doc.parse("<env><requestData><data><a></data></requestData></env>"));
    CHECK(doc.parse("<env><x>").error().detail == "element <x> is not closed");
}

TEST_CASE("the scanner refuses malformed tags and stray content, each with its reason", "[unit][soap]") {
    xml_document doc;
    const std::pair<std::string, std::string> cases[] = {
        {"text<a/>", "text outside the root element"},
        {"<a/>text", "text outside the root element"},
        {"<a/><b/>", "a second root element"},
        {"<a b/>", "attribute without '='"},
        {"<a b=c/>", "attribute value not quoted"},
        {"<a b='<'/>", "'<' in an attribute value"},
        {"<a b='x/>", "unterminated attribute value"},
        {"<a =\"x\"/>", "attribute without a name"},
        {"<a / >", "'/' not followed by '>' in a start tag"},
        {"<a><!-- x </a>", "unterminated comment"},
        {"<a><? x </a>", "unterminated processing instruction"},
        {"<a><![CDATA[ x </a>", "unterminated CDATA section"},
        {"<![CDATA[x]]><a/>", "CDATA outside the root element"},
        {"< a/>", "element without a name"},
        {"<a></a x>", "malformed end tag"},
        {"<a", "unterminated start tag"},
    };
    for (const auto& [text, reason] : cases) {
        INFO(text);
        auto r = doc.parse(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::bad_envelope);
        CHECK(r.error().detail.find(reason) != std::string::npos);
    }
}

TEST_CASE("comments, processing instructions and spacing are accepted where XML allows them", "[unit][soap]") {
    xml_document doc;
    const std::string text = "<?xml version=\"1.0\"?>\n<!-- before -->\n<r a = 'x>y' b=\"2\" >"
                             "<one>1<!-- c --><?pi x?>2<![CDATA[3]]></one><two/><three >&amp;</three ></r>\n<!-- after -->\n";
    auto root = doc.parse(text);
    REQUIRE(root);
    CHECK(name_of(*root) == "r");
    const auto* one = first_element(*root);
    CHECK(text_of(one) == std::optional<std::string>("123"));
    const auto* two = next_element(one);
    CHECK(name_of(two) == "two");
    CHECK(text_of(two) == std::optional<std::string>(""));
    const auto* three = next_element(two);
    CHECK(text_of(three) == std::optional<std::string>("&"));
    CHECK(next_element(three) == nullptr);
    CHECK(three->parent == *root);
    CHECK_FALSE(text_of(*root)); // it holds elements
}
