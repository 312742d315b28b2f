"""What the tests share: configurations, clients of the faces' wires, running `ccsim serve`,
ActiveMQ and Chromium, the conformance assertions. Importable as `support` because pyproject.toml
puts tests/ on pytest's path; test modules import from here, never from each other or a conftest."""
