"""`python -m exchange` is the `exchange` command."""

from exchange.cli.main import main

if __name__ == "__main__":  # not when a worker process imports it (multiprocessing spawn)
    main()
