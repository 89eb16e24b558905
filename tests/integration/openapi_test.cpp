// The admin API's OpenAPI document against the running node: every
// operation it lists is called (with the token, and without it), and each
// answer's status must be one the document gives for it, and a JSON body
// must fit the schema given for that status (required keys, types, enums,
// nullable, arrays and $ref followed).
#include "tests/integration/async_helpers.hpp"
#include "tests/integration/node_fixture.hpp"
#include "tests/support/http_call.hpp"

#include <boost/json.hpp>

using namespace qaqpa;
using namespace qaqpa::test;
namespace json = boost::json;

namespace {

class schema_check {
public:
    explicit schema_check(const json::object& doc) : doc_(doc) {}

    /// Problems of `v` against `schema` ("" when it fits); `where` names the place.
    std::string problems(const json::value& v, const json::object& schema, const std::string& where) const {
        const auto& s = resolve(schema);
        if (v.is_null()) {
            const auto* nullable = s.if_contains("nullable");
            return nullable && nullable->as_bool() ? "" : where + ": null where it is not nullable\n";
        }
        std::string out;
        if (const auto* type = s.if_contains("type")) {
            const std::string t(type->as_string());
            const bool ok = (t == "string" && v.is_string()) || (t == "integer" && (v.is_int64() || v.is_uint64())) ||
                            (t == "boolean" && v.is_bool()) || (t == "array" && v.is_array()) ||
                            (t == "object" && v.is_object()) || (t == "number" && v.is_number());
            if (!ok) return where + ": not a " + t + "\n";
        }
        if (const auto* e = s.if_contains("enum")) {
            bool listed = false;
            for (const auto& option : e->as_array()) listed = listed || option == v;
            if (!listed) out += where + ": " + json::serialize(v) + " is not in its enum\n";
        }
        if (v.is_object()) {
            if (const auto* required = s.if_contains("required"))
                for (const auto& key : required->as_array())
                    if (!v.as_object().contains(key.as_string()))
                        out += where + ": lacks \"" + std::string(key.as_string()) + "\"\n";
            if (const auto* props = s.if_contains("properties"))
                for (const auto& [key, sub] : props->as_object())
                    if (const auto* field = v.as_object().if_contains(key))
                        out += problems(*field, sub.as_object(), where + "." + std::string(key));
        }
        if (v.is_array())
            if (const auto* items = s.if_contains("items"))
                for (std::size_t i = 0; i < v.as_array().size(); ++i)
                    out += problems(v.as_array()[i], items->as_object(), where + "[" + std::to_string(i) + "]");
        return out;
    }

    /// `o` with its $ref followed.
    const json::object& resolve(const json::object& o) const {
        const auto* ref = o.if_contains("$ref");
        if (!ref) return o;
        std::string path(ref->as_string()); // "#/components/schemas/Name"
        const json::object* at = &doc_;
        for (std::size_t from = 2; from < path.size();) {
            const auto slash = path.find('/', from);
            at = &at->at(path.substr(from, slash - from)).as_object();
            if (slash == std::string::npos) break;
            from = slash + 1;
        }
        return resolve(*at);
    }

private:
    const json::object& doc_;
};

} // namespace

TEST_CASE("the OpenAPI document describes what the admin API answers", "[integration][admin][openapi]") {
    gateway gw;
    const auto a = accept(gw.port(), {});
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + gw.node().admin_token()},
                                                  {"Content-Type", "application/json"}};
    // An incident to show and fill in: a point switched off (and on again).
    REQUIRE(http_request(gw.node().admin_port(), "POST", "/admin/v1/delivery-points/echo/off", "", auth).status == 200);
    REQUIRE(http_request(gw.node().admin_port(), "POST", "/admin/v1/delivery-points/echo/on", "", auth).status == 200);
    const auto opened = http_request(gw.node().admin_port(), "GET", "/admin/v1/incidents", "", auth);
    const std::string incident_id(
        json::parse(opened.body).at("incidents").as_array().at(0).at("id").as_string());
    const auto served = http_request(gw.node().admin_port(), "GET", "/admin/v1/openapi.json", "", auth);
    REQUIRE(served.status == 200);
    const auto doc = json::parse(served.body).as_object();
    CHECK(doc.at("openapi").as_string().starts_with("3."));
    const schema_check check(doc);

    std::size_t operations = 0;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, op_value] : item.as_object()) {
            const auto& op = op_value.as_object();
            std::string target(path);
            const bool messages = target.find("/messages/") != std::string::npos;
            const bool incidents = target.find("/incidents/") != std::string::npos;
            if (auto at = target.find("{id}"); at != std::string::npos)
                target.replace(at, 4, messages ? a.message_id : incidents ? incident_id : "echo");
            if (auto at = target.find("{system}/{service}"); at != std::string::npos)
                target.replace(at, 18, "sender/echo");
            if (target == "/admin/v1/messages") target += "?correlationId=" + a.correlation_id;
            std::string verb(method);
            for (auto& c : verb) c = static_cast<char>(std::toupper(c));
            INFO(verb << " " << target);
            ++operations;

            // A PUT sends back what GET answered: the registry's entries round-trip.
            const auto body = target.ends_with("/messages/redeliver") ? std::string(R"({"dryRun":true})")
                              : verb == "PATCH" ? std::string(R"({"responsible":"duty administrator"})")
                              : verb == "PUT"   ? http_request(gw.node().admin_port(), "GET", target, "", auth).body
                                                : std::string();
            const auto reply = http_request(gw.node().admin_port(), verb, target, body, auth);
            const auto& responses = op.at("responses").as_object();
            const auto* documented = responses.if_contains(std::to_string(reply.status));
            INFO(reply.body);
            REQUIRE(documented); // the status is one the document gives
            const auto& response = check.resolve(documented->as_object());
            if (const auto* content = response.if_contains("content"))
                if (const auto* js = content->as_object().if_contains("application/json");
                    js && reply.header("content-type").starts_with("application/json"))
                    CHECK(check.problems(json::parse(reply.body), js->as_object().at("schema").as_object(), "body") == "");

            // Without the token: 401, as documented, unless the operation is open.
            const auto* security = op.if_contains("security");
            const bool open = security && security->as_array().empty();
            const auto anonymous = http_request(gw.node().admin_port(), verb, target);
            if (open) CHECK(anonymous.status == 200);
            else {
                CHECK(anonymous.status == 401);
                CHECK(responses.contains("401"));
            }
        }
    }
    CHECK(operations >= 39);

    // The answers that only come from bad input fit too.
    const auto bad = http_request(gw.node().admin_port(), "GET", "/admin/v1/journal?colour=blue", "", auth);
    REQUIRE(bad.status == 400);
    CHECK(check.problems(json::parse(bad.body),
                         check.resolve(doc.at("components").at("responses").at("BadRequest").as_object())
                             .at("content").at("application/json").at("schema").as_object(),
                         "body") == "");
}
