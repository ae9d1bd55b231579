import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/errors";
import { buildFields, describeFields, initialValues, labelOf, placeError, type JsonSchema } from "./schema-form";

/** The shapes pydantic gives: a required string, a secret, a nullable integer with bounds, an enum with a
 * default, a boolean, a multi-line nullable string, a list of strings, a number. */
const SMTP: JsonSchema = {
  type: "object",
  required: ["host", "from_address"],
  properties: {
    host: { type: "string", title: "Host", description: "Server host name." },
    port: { anyOf: [{ type: "integer", minimum: 1, maximum: 65535 }, { type: "null" }], default: null, title: "Port" },
    password: { type: "string", default: "", title: "Password", description: "Password (kept secret)." },
    security: { type: "string", enum: ["starttls", "ssl", "none"], default: "starttls", title: "Security" },
    tls_verify: { type: "boolean", default: true, title: "Tls Verify" },
    ca_cert: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Ca Cert",
      examples: ["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"] },
    scopes: { type: "array", items: { type: "string" }, title: "Scopes" },
    timeout_seconds: { type: "number", default: 30, exclusiveMinimum: 0, title: "Timeout Seconds" },
    from_address: { type: "string", title: "From Address" },
  },
};

const fields = describeFields(SMTP, ["password"]);
const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));

describe("describeFields", () => {
  it("gives each property the input for its type", () => {
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ["host", "text"], ["port", "integer"], ["password", "secret"], ["security", "select"],
      ["tls_verify", "boolean"], ["ca_cert", "multiline"], ["scopes", "list"], ["timeout_seconds", "number"],
      ["from_address", "text"],
    ]);
  });
  it("marks required, nullable and secret fields; keeps labels, hints, options and bounds", () => {
    expect(byKey.host).toMatchObject({ label: "Host", hint: "Server host name.", required: true, secret: false });
    expect(byKey.port).toMatchObject({ nullable: true, required: false, minimum: 1, maximum: 65535 });
    expect(byKey.password).toMatchObject({ secret: true, required: false, multiline: false });
    expect(byKey.security?.options).toEqual(["starttls", "ssl", "none"]);
    expect(byKey.timeout_seconds?.minimum).toBe(0);
  });
  it("takes writeOnly and password-format properties for secrets too", () => {
    const schema: JsonSchema = { properties: { key: { type: "string", writeOnly: true, format: "password" } } };
    expect(describeFields(schema)[0]?.kind).toBe("secret");
  });
  it("falls back to JSON for shapes it has no input for", () => {
    const schema: JsonSchema = { properties: { headers: { type: "object" } } };
    expect(describeFields(schema)[0]?.kind).toBe("json");
  });
});

describe("labelOf", () => {
  it("spells acronyms", () => {
    expect(labelOf("tls_verify", "Tls Verify")).toBe("TLS Verify");
    expect(labelOf("authorize_url", "Authorize Url")).toBe("Authorize URL");
    expect(labelOf("client_id")).toBe("Client ID");
  });
});

describe("initialValues", () => {
  it("starts from the defaults", () => {
    expect(initialValues(fields)).toMatchObject({
      host: "", port: "", password: "", security: "starttls", tls_verify: true, timeout_seconds: "30", scopes: "",
    });
  });
  it("fills in the stored fields but never a secret", () => {
    const stored = { host: "mail.example.com", port: 2525, tls_verify: false, scopes: ["read", "write"], password: "x" };
    expect(initialValues(fields, stored)).toMatchObject({
      host: "mail.example.com", port: "2525", tls_verify: false, scopes: "read write", password: "",
    });
  });
});

describe("buildFields", () => {
  const filled = { ...initialValues(fields), host: " mail.example.com ", from_address: "ada@example.com" };

  it("coerces each value to its type", () => {
    const { body, problems } = buildFields(fields, {
      ...filled, port: "2525", password: "s3cret", tls_verify: false, scopes: "read, write  admin",
      timeout_seconds: "2.5",
    }, "create");
    expect(problems).toEqual({});
    expect(body).toEqual({
      host: "mail.example.com", port: 2525, password: "s3cret", security: "starttls", tls_verify: false,
      ca_cert: null, scopes: ["read", "write", "admin"], timeout_seconds: 2.5, from_address: "ada@example.com",
    });
  });
  it("says which required field is empty and which number is not one", () => {
    const { problems } = buildFields(fields, { ...filled, host: "  ", port: "25.5", timeout_seconds: "soon" }, "create");
    expect(problems).toEqual({ host: "Required.", port: "Enter a whole number.", timeout_seconds: "Enter a number." });
  });
  it("leaves a blank secret out when editing, so that it keeps its value", () => {
    const { body } = buildFields(fields, filled, "edit");
    expect(body).not.toHaveProperty("password");
    expect(buildFields(fields, { ...filled, password: "new one" }, "edit").body.password).toBe("new one");
  });
  it("asks for a required secret when creating, not when editing", () => {
    const bearer = describeFields({ required: ["token"], properties: { token: { type: "string" } } }, ["token"]);
    expect(buildFields(bearer, { token: "" }, "create").problems).toEqual({ token: "Required." });
    expect(buildFields(bearer, { token: "" }, "edit")).toEqual({ body: {}, problems: {} });
  });
  it("sends an emptied optional field as null or its default when editing", () => {
    const { body } = buildFields(fields, { ...filled, port: "", timeout_seconds: "" }, "edit");
    expect(body.port).toBeNull();
    expect(body.timeout_seconds).toBe(30);
  });
  it("keeps a multi-line value as typed", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
    expect(buildFields(fields, { ...filled, ca_cert: pem }, "create").body.ca_cert).toBe(pem);
  });
  it("parses JSON fields", () => {
    const other = describeFields({ properties: { headers: { type: "object" } } });
    expect(buildFields(other, { headers: '{"a": 1}' }, "create").body).toEqual({ headers: { a: 1 } });
    expect(buildFields(other, { headers: "{" }, "create").problems).toEqual({ headers: "Enter valid JSON." });
  });
});

describe("placeError", () => {
  it("puts a field's error at the field, without the path in front", () => {
    const error = new ApiError(422, "invalid", "fields.port: Input should be less than or equal to 65535",
      "fields.port", null);
    expect(placeError(error)).toEqual({ at: "port", message: "Input should be less than or equal to 65535." });
  });
  it("knows the name and the type", () => {
    expect(placeError(new ApiError(422, "invalid", "name: too long", "name", null))?.at).toBe("name");
    expect(placeError(new ApiError(422, "invalid", "unknown connection type 'x'", "type", null)))
      .toEqual({ at: "type", message: "Unknown connection type 'x'." });
  });
  it("leaves errors without a path to the form", () => {
    expect(placeError(new ApiError(500, "error", "boom", null, null))).toBeNull();
    expect(placeError(new Error("boom"))).toBeNull();
  });
});
