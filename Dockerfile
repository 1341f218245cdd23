# A faithful mirror of `make run`: same install (constraints.txt), same gunicorn command and config.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SCORING_BIND=0.0.0.0:8000 \
    SCORING_SURVEYS_DIR=/app/surveys \
    SCORING_INSTANCE_DIR=/data

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY scoring_service ./scoring_service
COPY surveys ./surveys
COPY gunicorn.conf.py ./
RUN pip install --disable-pip-version-check -c constraints.txt . \
    && useradd --system --uid 10001 --home-dir /app scoring \
    && mkdir /data && chown scoring /data

# The SQLite database and the generated secrets live here; mount a volume to keep them.
VOLUME /data
USER scoring
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2).status != 200)"
# As `make run`: create the instance secrets and migrate (printing the operator token), then serve.
CMD ["sh", "-c", "scoring-service setup && exec gunicorn -c gunicorn.conf.py 'scoring_service:create_app()'"]
