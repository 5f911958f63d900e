FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise; this key is only for the build step.
RUN DEBUG=false SECRET_KEY=collectstatic-build-only python manage.py collectstatic --noinput

RUN useradd --system --no-create-home app \
    && mkdir -p /app/media && chown app /app/media
USER app

# gunicorn's worker count; sync workers, about two per core (README, "Scaling out", measured by bench/load.py).
ENV WEB_CONCURRENCY=4
EXPOSE 8000
# No control socket: it would go in the home directory, which the app user does not have.
CMD ["gunicorn", "factcheck.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
