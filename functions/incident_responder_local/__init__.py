"""The embedded default: local AWS (moto), a local Slack Web API emulator, scenario replay."""
