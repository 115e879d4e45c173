"""The core of the council platform: settings, data, people, security, audit, realtime, CLI."""
