def test_run_node_returns_json_and_sees_npm_packages(run_node) -> None:
    out = run_node(
        "import { poseidon2 } from 'poseidon-lite';"
        "console.log(JSON.stringify({h: poseidon2([1n, 2n]).toString(), a: process.argv.slice(1)}))",
        "x",
    )
    assert out["a"] == ["x"]
    assert int(out["h"]) > 0
