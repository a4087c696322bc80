pytest_plugins = ["tests.plugins.postgres", "tests.plugins.kafka", "tests.support.fixtures"]
