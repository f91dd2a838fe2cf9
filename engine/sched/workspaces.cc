#include "engine/sched/workspaces.h"

#include <filesystem>
#include <fstream>

namespace baton::sched {

namespace fs = std::filesystem;

std::optional<std::string> decode_base64(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0) return std::nullopt;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

namespace {

Status write_file(const fs::path& p, const std::string& data) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  if (!f) return Fail("cannot write " + p.string());
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  return f ? Status{} : Fail("cannot write " + p.string());
}

// Key/value pairs of a ConfigMap (data, binaryData) or Secret (data base64, stringData).
Result<std::map<std::string, std::string>> object_data(const model::ExternalObject& obj,
                                                       std::vector<std::string>* secrets) {
  std::map<std::string, std::string> out;
  bool secret = obj.kind == "Secret";
  const auto& body = obj.body;
  if (body.contains("data") && body["data"].is_object()) {
    for (const auto& [k, v] : body["data"].items()) {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (secret) {
        auto d = decode_base64(s);
        if (!d) return Fail("Secret \"" + obj.metadata.name + "\": data." + k + " is not base64");
        s = *d;
      }
      out[k] = s;
    }
  }
  for (const char* field : {"stringData", "binaryData"}) {
    if (!body.contains(field) || !body[field].is_object()) continue;
    for (const auto& [k, v] : body[field].items()) {
      std::string s = v.is_string() ? v.get<std::string>() : v.dump();
      if (std::string(field) == "binaryData") {
        auto d = decode_base64(s);
        if (!d)
          return Fail("ConfigMap \"" + obj.metadata.name + "\": binaryData." + k +
                      " is not base64");
        s = *d;
      }
      out[k] = s;
    }
  }
  if (secret && secrets) {
    for (const auto& [k, v] : out) secrets->push_back(v);
  }
  return out;
}

// Writes an object's keys (or the `items` selection) into dir.
Status materialize(const std::string& kind, const std::string& name, const model::Json& items,
                   const model::ObjectSet& objects, const fs::path& dir, bool optional,
                   std::vector<std::string>* secrets) {
  const model::ExternalObject* obj = objects.find_external(kind, name);
  if (!obj) {
    if (optional) return {};
    return Fail(kind + " \"" + name + "\" not found: define it in the same files as the run");
  }
  auto data = object_data(*obj, secrets);
  if (!data.ok()) return data.error();
  if (items.is_array() && !items.empty()) {
    for (const auto& it : items) {
      std::string key = it.value("key", "");
      std::string path = it.value("path", key);
      auto found = data->find(key);
      if (found == data->end()) return Fail(kind + " \"" + name + "\" has no key \"" + key + "\"");
      if (Status st = write_file(dir / path, found->second); !st.ok()) return st;
    }
    return {};
  }
  for (const auto& [k, v] : *data) {
    if (Status st = write_file(dir / k, v); !st.ok()) return st;
  }
  return {};
}

std::string safe_name(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == '\0') c = '_';
  }
  return s.empty() || s == "." || s == ".." ? std::string("_") : s;
}

}  // namespace

Status write_object_files(const std::string& kind, const std::string& name,
                          const model::Json& items, const model::ObjectSet& objects,
                          const std::string& dir, bool optional,
                          std::vector<std::string>* secrets) {
  return materialize(kind, name, items, objects, fs::path(dir), optional, secrets);
}

Result<std::string> object_value(const std::string& kind, const std::string& name,
                                 const std::string& key, const model::ObjectSet& objects) {
  const model::ExternalObject* obj = objects.find_external(kind, name);
  if (!obj)
    return Fail(kind + " \"" + name + "\" not found: define it in the same files as the run");
  auto data = object_data(*obj, nullptr);
  if (!data.ok()) return data.error();
  auto it = data->find(key);
  if (it == data->end()) return Fail(kind + " \"" + name + "\" has no key \"" + key + "\"");
  return it->second;
}

namespace {

// The binding as a Kubernetes volume source. A volumeClaimTemplate becomes a generic ephemeral
// volume: the pod-level form of "a fresh claim for this TaskRun".
model::Json volume_source(const model::WorkspaceBinding& b) {
  if (!b.persistent_volume_claim.is_null())
    return {{"persistentVolumeClaim", b.persistent_volume_claim}};
  if (!b.volume_claim_template.is_null()) {
    model::Json tmpl = b.volume_claim_template;
    tmpl.erase("apiVersion");
    tmpl.erase("kind");
    if (tmpl.contains("metadata")) {  // a claim template keeps only labels and annotations
      model::Json meta = model::Json::object();
      for (const char* k : {"labels", "annotations"})
        if (tmpl["metadata"].contains(k)) meta[k] = tmpl["metadata"][k];
      tmpl["metadata"] = meta;
    }
    return {{"ephemeral", {{"volumeClaimTemplate", tmpl}}}};
  }
  if (!b.config_map.is_null()) return {{"configMap", b.config_map}};
  if (!b.secret.is_null()) return {{"secret", b.secret}};
  if (!b.projected.is_null()) return {{"projected", b.projected}};
  if (!b.csi.is_null()) return {{"csi", b.csi}};
  return {{"emptyDir", b.empty_dir.is_object() ? b.empty_dir : model::Json::object()}};
}

}  // namespace

Result<std::map<std::string, WorkspaceVolume>> prepare_workspaces(
    const std::vector<model::WorkspaceBinding>& bindings, const model::ObjectSet& objects,
    const WorkspaceRoots& roots, std::vector<std::string>* secrets) {
  std::map<std::string, WorkspaceVolume> out;
  std::error_code ec;
  for (const auto& b : bindings) {
    WorkspaceVolume v;
    fs::path dir;
    if (auto o = roots.overrides.find(b.name); o != roots.overrides.end()) {
      dir = o->second;
    } else if (!b.persistent_volume_claim.is_null()) {
      v.claim = b.persistent_volume_claim.value("claimName", "");
      if (v.claim.empty())
        return Fail("workspace \"" + b.name + "\": persistentVolumeClaim needs claimName");
      dir = fs::path(roots.pvc_dir) / safe_name(v.claim);
      v.read_only = b.persistent_volume_claim.value("readOnly", false);
    } else {
      dir = fs::path(roots.run_dir) / "workspaces" / safe_name(b.name);
    }
    v.volume = "ws-" + safe_name(b.name);
    v.source = volume_source(b);
    v.sub_path = b.sub_path;
    fs::create_directories(dir, ec);
    if (ec)
      return Fail("workspace \"" + b.name + "\": cannot create " + dir.string() + ": " +
                  ec.message());
    Status st;
    if (!b.config_map.is_null()) {
      st = materialize("ConfigMap", b.config_map.value("name", ""),
                       b.config_map.value("items", model::Json()), objects, dir,
                       b.config_map.value("optional", false), secrets);
      v.read_only = true;
    } else if (!b.secret.is_null()) {
      st = materialize("Secret", b.secret.value("secretName", ""),
                       b.secret.value("items", model::Json()), objects, dir,
                       b.secret.value("optional", false), secrets);
      v.read_only = true;
    } else if (!b.projected.is_null()) {
      for (const auto& src : b.projected.value("sources", model::Json::array())) {
        if (src.contains("configMap")) {
          const auto& c = src["configMap"];
          st = materialize("ConfigMap", c.value("name", ""), c.value("items", model::Json()),
                           objects, dir, c.value("optional", false), secrets);
        } else if (src.contains("secret")) {
          const auto& s = src["secret"];
          st = materialize("Secret", s.value("name", ""), s.value("items", model::Json()), objects,
                           dir, s.value("optional", false), secrets);
        }
        if (!st.ok()) break;
      }
      v.read_only = true;
    }
    if (!st.ok()) return Fail("workspace \"" + b.name + "\": " + st.error().message);
    if (!b.sub_path.empty()) {
      dir /= b.sub_path;
      fs::create_directories(dir, ec);
    }
    v.host_path = dir.string();
    out[b.name] = std::move(v);
  }
  return out;
}

}  // namespace baton::sched
