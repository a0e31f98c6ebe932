"""A SQL-first retail analytics and ML warehouse: the Python logic behind the dbt project."""

__version__ = "0.1.0"
