-- One database per country's node (replicas of one country share its database).
CREATE DATABASE exchange_kz OWNER exchange;
CREATE DATABASE exchange_kg OWNER exchange;
CREATE DATABASE exchange_tj OWNER exchange;
