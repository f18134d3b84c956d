"""The mock evaluation behind synth and the component tests records what the engine receives."""

import pulumi
import pulumi_aws as aws

from tests.support import evaluate_component


class _Pair(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Pair", name)
        group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=14, opts=pulumi.ResourceOptions(parent=self)
        )
        self.function = aws.lambda_.Function(
            f"{name}-fn",
            role="arn:aws:iam::123456789012:role/x",
            runtime="python3.13",
            handler="app.handler",
            code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("VALUE = 1\n")}),
            environment={"variables": {"TOKEN": pulumi.Output.secret("hunter2"), "PLAIN": "p"}},
            logging_config={"log_format": "JSON", "log_group": group.name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def _program() -> None:
    pair = _Pair("app")
    pulumi.export("functionArn", pair.function.arn)
    pulumi.export("token", pulumi.Output.secret("hunter2"))


def test_records_parent_dependencies_and_resolved_inputs() -> None:
    evaluation = evaluate_component(_program)
    function = evaluation.named("app-fn")
    assert function.parent == "app"
    assert function.dependencies == ["app-logs"]
    assert function.inputs["loggingConfig"]["logGroup"].startswith("app-logs-")
    assert function.inputs["environment"] == "[secret]"
    assert set(function.inputs["code"]) == {"archive"}
    assert set(evaluation.outputs) == {"functionArn", "token"}
    assert evaluation.outputs["token"] == "[secret]"
    assert evaluation.outputs["functionArn"].startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:app-fn-"
    )


def test_same_program_gives_identical_text() -> None:
    assert evaluate_component(_program).to_text() == evaluate_component(_program).to_text()
