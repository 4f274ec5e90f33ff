"""The pure core: IRIs, namespaces, formats, the store interface, loading, validation and
queries. Nothing in this package imports Flask (a test asserts it)."""
