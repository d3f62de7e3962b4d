def load_demo_subsidies() -> None:
    pass
