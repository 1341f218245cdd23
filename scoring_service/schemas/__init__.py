"""marshmallow schemas of the HTTP API: the stateless score (``score``) and the stored
resources (``stored``)."""
