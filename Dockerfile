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

# gunicorn.conf.py holds the server's settings, each read from the environment (README, "Operating it"):
# WEB_CONCURRENCY gthread workers of GUNICORN_THREADS threads, time-outs, the trusted proxies.
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "factcheck.wsgi"]
