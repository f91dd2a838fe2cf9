#pragma once
// YAML tree → model decoders for each Tekton type. Each reads every field it knows, reports
// unknown fields and type errors into ctx.diags, and never throws.

#include "engine/model/types.h"
#include "engine/spec/decode_util.h"

namespace baton::spec {

model::ObjectMeta decode_meta(const DecodeCtx& c, const Node& n, const std::string& path);
std::vector<model::ParamSpec> decode_param_specs(const DecodeCtx& c, MapReader& m,
                                                 const std::string& key);
std::vector<model::Param> decode_params(const DecodeCtx& c, MapReader& m, const std::string& key);
std::vector<model::ResultSpec> decode_result_specs(const DecodeCtx& c, MapReader& m,
                                                   const std::string& key);
std::vector<model::WhenExpression> decode_when(const DecodeCtx& c, MapReader& m);
model::Ref decode_ref(const DecodeCtx& c, const Node& n, const std::string& path);
model::TaskSpec decode_task_spec(const DecodeCtx& c, const Node& n, const std::string& path);
model::StepActionSpec decode_step_action_spec(const DecodeCtx& c, const Node& n,
                                              const std::string& path);
model::PipelineSpec decode_pipeline_spec(const DecodeCtx& c, const Node& n,
                                         const std::string& path);
model::PipelineRunSpec decode_pipeline_run_spec(const DecodeCtx& c, const Node& n,
                                                const std::string& path);
model::TaskRunSpec decode_task_run_spec(const DecodeCtx& c, const Node& n, const std::string& path);
std::vector<model::WorkspaceBinding> decode_workspace_bindings(const DecodeCtx& c, MapReader& m);

}  // namespace baton::spec
